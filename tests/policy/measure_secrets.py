"""Print precision, recall and F1 of find_secrets on the labelled corpus (policy 8.6).

    python tests/policy/measure_secrets.py [-v] [--corpus PATH]

Each sample is judged as the forum guard judges a post: its Markdown rendered and
sanitised (portal.services.markdown), then read as a reader gets it (find_secrets with
html=True). Without --corpus it measures the development corpus (corpus/secrets.jsonl,
which the rules were tuned on), the held-out corpus (corpus/secrets_heldout.jsonl, written
without sight of the detector) and the obfuscation corpus (corpus/secrets_obfuscated.jsonl,
obfuscated secrets and emphasised talk about passwords, also written without sight of it). --corpus PATH (may be repeated) measures only those
files. -v also lists the misclassified samples. Not a test: tests/policy/test_secrets.py
asserts the thresholds.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.policy.secrets import find_secrets  # noqa: E402
from portal.services.markdown import to_html  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus" / "secrets.jsonl"
HELDOUT = Path(__file__).resolve().parent / "corpus" / "secrets_heldout.jsonl"
OBFUSCATED = Path(__file__).resolve().parent / "corpus" / "secrets_obfuscated.jsonl"


def judge(markdown: str):
    """The forum guard's verdict on a post (policy 8.6): what its readers would see."""
    return find_secrets(to_html(markdown), html=True)


def load_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def measure(samples: list[dict]) -> dict:
    """Confusion counts and scores; a positive also needs its labelled kind reported."""
    tp = fp = fn = tn = kind_ok = 0
    errors = []
    for s in samples:
        finding = judge(s["text"])
        if s["secret"] and finding.found:
            tp += 1
            if s["kind"] in finding.kinds:
                kind_ok += 1
            else:
                errors.append(("kind", s, finding))
        elif s["secret"]:
            fn += 1
            errors.append(("FN", s, finding))
        elif finding.found:
            fp += 1
            errors.append(("FP", s, finding))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "positives": tp + fn, "negatives": fp + tn, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": precision, "recall": recall, "f1": f1,
        "kind_accuracy": kind_ok / tp if tp else 1.0, "errors": errors,
    }


def report(path: Path, verbose: bool = False) -> dict:
    m = measure(load_corpus(path))
    print(f"corpus {path.name}: {m['positives']} positive, {m['negatives']} negative samples")
    print(f"  tp={m['tp']} fp={m['fp']} fn={m['fn']} tn={m['tn']}")
    print(f"  precision={m['precision']:.3f} recall={m['recall']:.3f} f1={m['f1']:.3f} "
          f"kind_accuracy={m['kind_accuracy']:.3f}")
    if verbose:
        for what, s, finding in m["errors"]:
            print(f"\n  [{what}] label={s['kind']} got={finding.kinds}\n    {s['text']!r}")
        print()
    return m


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list misclassified samples")
    parser.add_argument("--corpus", action="append", type=Path, metavar="PATH",
                        help="a .jsonl corpus to measure (repeatable; default: all three)")
    args = parser.parse_args(argv)
    for path in args.corpus or [CORPUS, HELDOUT, OBFUSCATED]:
        report(path, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
