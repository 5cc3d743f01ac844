"""Is a support request written in English?

policy 4.2: support is in English only; requests in another language are answered in
English with no guarantee of accuracy. Decision: the portal detects a non-English
request, tells the user so before and after submitting, and flags it for staff.

    from portal.policy.language import detect_language
    result = detect_language(body)
    if not result.is_english:
        warn_user(result.language)      # and flag the request for staff

Pure module: stdlib plus ``py3langid`` (a naive-Bayes n-gram classifier whose model file
ships inside the PyPI wheel: offline, no download at run time). The model is loaded
lazily on first use, once per process, into a private identifier of our own (so nobody
else's ``py3langid.set_languages`` can change our answers). Naive Bayes over a fixed
model is deterministic: the same text always gives the same result; confidences are
rounded so that they also compare equal across runs.

Support requests are short and technical. Before classifying, the text is cleaned of
what carries no language: code blocks, log and stack-trace lines, URLs, e-mail
addresses, paths, registry keys, GUIDs, hex, version and error numbers, identifiers
(``RU.Host.Settings``, ``rut_server``, ``ValidateFileHandle``), acronyms, and product
and platform names ("Remote Utilities", "RUT Server", "Host", "Viewer", "Agent",
"Windows" ...). If too little natural text is left, the request is given the benefit of
the doubt and treated as English; the reason says so.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass

__all__ = [
    "MAX_ANALYSED_CHARS", "MAX_INPUT_CHARS", "LanguageResult", "clean_text", "detect_language",
]

# Raw text looked at (cleaning is linear in it), and cleaned text given to the model.
MAX_INPUT_CHARS = 16 * 1024
MAX_ANALYSED_CHARS = 4 * 1024
# Less natural text than this is not judged: benefit of the doubt (English).
MIN_LETTERS = 12
MIN_WORDS = 3
# A text mostly in a non-Latin script (Cyrillic, CJK, Arabic...) is not English.
NON_LATIN_SHARE = 0.5
MIN_NON_LATIN_LETTERS = 4
# Labels of the model that are English or read as English to it (creoles, Scots).
_ENGLISH_LIKE = frozenset({"en", "pcm", "sco", "jam", "tpi", "bi"})
_ENGLISH_LIKE_ORDER = tuple(sorted(_ENGLISH_LIKE))  # fixed summation order: same floats every run


@dataclass(frozen=True)
class LanguageResult:
    """The language of a request (policy 4.2)."""

    is_english: bool
    language: str      # ISO 639-1 code, or 'und' when it cannot be told
    confidence: float  # 0..1: the model's probability for ``language``
    reason: str


# --------------------------------------------------------------------------- model

_identifier = None
_identifier_lock = threading.Lock()
_columns = None  # (labels, their first columns, first column of each _ENGLISH_LIKE_ORDER label or None)


def _get_identifier():
    """Load py3langid's bundled model once (lazily), normalised to probabilities."""
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                # py3langid 0.4 (the thresholds below are tuned on its calibrated
                # probabilities); 0.3 named the loader from_pickled_model.
                load = getattr(LanguageIdentifier, "from_model_file", None) or getattr(
                    LanguageIdentifier, "from_pickled_model")
                identifier = _compact(load(MODEL_FILE, norm_probs=True))
                _set_columns(identifier)
                _identifier = identifier
    return _identifier


def _set_columns(identifier) -> None:
    """Where each label's score sits in the model's output, as py3langid's ``rank`` reads it
    (a label listed twice, a script alias, keeps its first column, which holds the merged score)."""
    global _columns
    first: dict[str, int] = {}
    for i, label in enumerate(identifier.nb_classes):
        first.setdefault(label, i)
    _columns = (tuple(first), tuple(first.values()),
                tuple(first.get(code) for code in _ENGLISH_LIKE_ORDER))


def _top_and_english(identifier, text: str):
    """(top label, its probability, summed probability of the English-like labels): what
    ``rank`` gives, without building and sorting the full ranking of ~140 labels (speed
    only). Same scores (py3langid's own ``_decide``); the top is the first label of highest
    score, as the stable sort of ``rank`` puts it. Falls back to ``rank`` when a score is
    NaN (sorting and max differ there) or when py3langid has no ``_decide``."""
    decide = getattr(identifier, "_decide", None)
    if decide is not None and _columns is not None:
        labels, firsts, english = _columns
        scores = decide(text).tolist()
        values = [scores[i] for i in firsts]
        if sum(values) == sum(values):  # no NaN
            top_p = max(values)
            top = labels[values.index(top_p)]
            english_p = sum(scores[i] if i is not None else 0.0 for i in english)
            return top, top_p, english_p
    ranked = identifier.rank(text)
    probs = dict(ranked)
    top, top_p = ranked[0]
    return top, top_p, sum(probs.get(code, 0.0) for code in _ENGLISH_LIKE_ORDER)


def _compact(identifier):
    """The model's two per-state lists (~100,000 int objects each) as flat arrays. Loaded once in
    the uWSGI master and shared by the forked workers, a list's int objects would have their
    reference counts written by every lookup, copying each page touched into the worker
    (portal/web/prefork.py); an array's items are plain memory that lookups only read.
    Same values, same answers; about 0.02 ms more per request text."""
    for name, code in (("tk_output", "i"), ("_rowbase", "q")):
        values = getattr(identifier, name, None)
        if isinstance(values, list):
            setattr(identifier, name, array(code, values))
    return identifier


# --------------------------------------------------------------------------- cleaning

# Multi-word product names in any case; single-word names only when capitalised
# (a lower-case "host" or "server" is an ordinary English word).
_PRODUCT_PHRASES = re.compile(
    r"\b(?:Remote[ -]Utilities(?:[ -](?:Server|Host|Viewer|Agent))?|RUT[ -]?Server|"
    r"Internet[ -]ID|Task[ -]Manager|Address[ -]Book|Windows[ -]Server|Active[ -]Directory|"
    r"Remote[ -]Desktop|Wake[ -]on[ -]LAN|File[ -]Transfer|Power[ -]Shell)\b",
    re.I,
)
_PRODUCT_NAMES = re.compile(
    r"\b(?:Host|Viewer|Agent|Server|Windows|Linux|Ubuntu|Debian|macOS|Android|iOS|"
    r"Microsoft|Azure|Office|Outlook|Chrome|Firefox|Edge|Usoris|Kaspersky|Avast|Defender|"
    r"TeamViewer|AnyDesk|Remote|Utilities)\b"
)
_FENCED_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]{0,400}`")
_HTML_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.S | re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]{0,200}>")
_LOG_LINE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}"       # 2024-03-12 09:14
    r"|\b\d{1,2}:\d{2}:\d{2}\b"                              # 09:14:22
    r"|^\s*\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRITICAL)\b[\]:]?"
    r"|^\s*at [\w.$<>`]+\(.*\)"                              # .NET / Java stack frame
    r"|^\s*File \".*\", line \d+"                            # Python stack frame
    r"|^\s*Traceback \(most recent call last\)"
    r"|^\s*#\d+\s+0x[0-9a-f]+"                               # native frame
    r"|^\s*[\w.]+(?:Exception|Error):"                       # Foo.BarException: ...
    r"|^\s*(?:\$|>|PS [A-Z]:\\[^>]*>|C:\\[^>]*>)\s",          # shell prompts
    re.M,
)
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]{1,15}://|www\.)[^\s<>\"')\]]+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")
_WIN_PATH = re.compile(r"(?:\b[A-Za-z]:|\\\\[\w.$-]+)\\[^\s\"'<>|]*(?:[ ][^\s\"'<>|\\]*\\[^\s\"'<>|]*)*")
_REG_KEY = re.compile(r"\b(?:HKEY_[A-Z_]+|HKLM|HKCU|HKCR|HKU)\\[^\s\"']*", re.I)
_UNIX_PATH = re.compile(r"(?<![\w/])(?:~|\.{1,2})?/(?:[\w.@+-]+/)*[\w.@+-]*")
_GUID = re.compile(r"\{?\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b\}?", re.I)
_HEX = re.compile(r"\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I)
# Identifiers, acronyms and numbers. Each alternative with what it needs, for the gate in
# `_identifier_pattern`: "." (dotted), "_" (snake), an ASCII capital, a \\d digit.
_IDENTIFIER_PARTS = (
    ("dot", r"\b[\w$]+(?:\.[\w$]+)+(?:\(\))?"),  # dotted: RU.Host.Settings.Load(), rutview.exe
    ("under", r"\b\w*_\w*"),                   # snake_case, SOME_CONST
    ("upper", r"\b[a-z]+[A-Z]\w*"),             # camelCase
    ("upper", r"\b[A-Z][a-z]+[A-Z]\w*"),        # PascalCase with inner capital
    ("digit", r"\b\w*\d\w*"),                   # anything with a digit: 7.6, x64, 22H2, E4012
    ("upper", r"\b[A-Z]{2,}s?\b"),              # acronyms: RUT, MSI, PRO, TLS, IDs
)
_IDENTIFIER = re.compile("|".join(part for _name, part in _IDENTIFIER_PARTS))
_NON_WORD_LINE_MIN = 8

# Gates (speed only): a substitution is skipped when its pattern cannot match the text. Each
# gate is a literal the pattern needs (case-sensitive, like the pattern), or for a re.I
# pattern a word needed in the lower-cased text, checked only when the text is pure ASCII
# (re.I folds some non-ASCII letters to ASCII ones: the Kelvin sign K to k, the long s to s).
# tests/policy/test_fast_paths_equal.py compares with the ungated code (tests/policy/oracle).
# A line can match _LOG_LINE only if it holds one of these (per alternative: ":" for the
# times and "Exception:"/"Error:", the level names, "at ", 'File "', "Traceback", "#" for a
# native frame, "$" or ">" for a prompt).
_LOG_NEEDS = re.compile(r':|TRACE|DEBUG|INFO|NOTICE|WARN|ERR|FATAL|CRITICAL|at |File "|Traceback|#|\$|>')
_PRODUCT_PHRASE_WORDS = ("remote", "rut", "internet", "task", "address", "windows", "active",
                         "wake", "file", "power")
_PRODUCT_NAME_WORDS = ("Host", "Viewer", "Agent", "Server", "Windows", "Linux", "Ubuntu", "Debian",
                       "macOS", "Android", "iOS", "Microsoft", "Azure", "Office", "Outlook", "Chrome",
                       "Firefox", "Edge", "Usoris", "Kaspersky", "Avast", "Defender", "AnyDesk",
                       "Remote", "Utilities")
_SYMBOLS = re.compile(r"[^\w\s'’.,;:!?¿¡()\"-]|_")
_SPACES = re.compile(r"\s+")
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_UPPER = re.compile(r"[A-Z]")
_ANY_DIGIT = re.compile(r"\d")
# Dropping from an alternation alternatives that cannot match anywhere in a text changes no
# match: _IDENTIFIER is applied with only the alternatives that can, in their order.
_identifier_variants: dict[frozenset, re.Pattern | None] = {}


def _identifier_pattern(text: str) -> re.Pattern | None:
    present = frozenset(name for name, ok in (
        ("dot", "." in text), ("under", "_" in text), ("upper", _ASCII_UPPER.search(text)),
        ("digit", _ANY_DIGIT.search(text))) if ok)
    try:
        return _identifier_variants[present]
    except KeyError:
        parts = [part for name, part in _IDENTIFIER_PARTS if name in present]
        pattern = re.compile("|".join(parts)) if parts else None
        _identifier_variants[present] = pattern  # at most 16 entries
        return pattern


def _may(text: str, words: tuple[str, ...]) -> bool:
    """False only when ``text`` is pure ASCII and its lower case holds none of ``words``."""
    if not text.isascii():
        return True
    low = text.lower()
    return any(w in low for w in words)


_GATES = {  # pattern -> False only when it cannot match the text
    _FENCED_CODE: lambda t: "```" in t or "~~~" in t,
    _HTML_CODE: lambda t: "</" in t,
    _INLINE_CODE: lambda t: "`" in t,
    _HTML_TAG: lambda t: "<" in t,
    _URL: lambda t: "://" in t or _may(t, ("www.",)),
    _EMAIL: lambda t: "@" in t,
    _REG_KEY: lambda t: "\\" in t,
    _WIN_PATH: lambda t: "\\" in t,
    _UNIX_PATH: lambda t: "/" in t,
    _GUID: lambda t: t.count("-") >= 4,
    _HEX: lambda t: _ASCII_DIGIT.search(t) is not None,  # "0x", or a digit among the hex digits
    _PRODUCT_PHRASES: lambda t: _may(t, _PRODUCT_PHRASE_WORDS),
    _PRODUCT_NAMES: lambda t: any(w in t for w in _PRODUCT_NAME_WORDS),
}


def _symbol_heavy(line: str) -> bool:
    """A line that is mostly not letters: a table row, a hex dump, a config blob."""
    stripped = line.strip()
    if len(stripped) < _NON_WORD_LINE_MIN:
        return False
    letters = sum(map(str.isalpha, stripped))
    return letters < 0.5 * len(stripped.replace(" ", ""))


def clean_text(text: str) -> str:
    """The natural-language part of ``text``: no code, logs, paths, numbers or names."""
    text = text[:MAX_INPUT_CHARS]
    text = unicodedata.normalize("NFC", text)
    for pattern in (_FENCED_CODE, _HTML_CODE, _INLINE_CODE):
        if _GATES[pattern](text):
            text = pattern.sub(" ", text)
    kept = []
    for line in text.splitlines():
        if (line.startswith(("    ", "\t"))
                or (_LOG_NEEDS.search(line) and _LOG_LINE.search(line))
                or _symbol_heavy(line)):
            continue
        kept.append(line)
    text = "\n".join(kept)
    for pattern in (_HTML_TAG, _URL, _EMAIL, _REG_KEY, _WIN_PATH, _UNIX_PATH, _GUID, _HEX,
                    _PRODUCT_PHRASES, _PRODUCT_NAMES):
        if _GATES[pattern](text):
            text = pattern.sub(" ", text)
    letters = sum(map(str.isalpha, text))
    if letters and sum(map(str.isupper, filter(str.isalpha, text))) >= 0.7 * letters:
        text = text.lower()  # A SHOUTED POST: its words are not acronyms
    identifiers = _identifier_pattern(text)  # _IDENTIFIER, without what cannot match here
    if identifiers is not None:
        text = identifiers.sub(" ", text)
    text = _SYMBOLS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_ANALYSED_CHARS]


# --------------------------------------------------------------------------- scripts

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _script_counts(text: str) -> tuple[int, int]:
    """(Latin letters, letters of other scripts)."""
    if text.isascii():
        return sum(map(str.isalpha, text)), 0
    latin = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if ch < "\u0250" or "\u1e00" <= ch <= "\u1eff":  # Basic/Extended Latin, Vietnamese
            latin += 1
        else:
            other += 1
    return latin, other


def _strip_non_latin(text: str) -> str:
    return "".join(c if (not c.isalpha() or c < "\u0250" or "\u1e00" <= c <= "\u1eff") else " "
                   for c in text)


# Function words that are English and not also common words of the languages most
# often seen in support requests (so no "a", "in", "also", "was", "die", "on", "is").
_ENGLISH_FUNCTION_WORDS = frozenset(
    """
    the and to of for with it this that i my we our you your not can cannot can't don't
    doesn't isn't didn't won't it's i'm i've when after before but have has does how
    what why there from be been get got would should could please thanks thank any all
    still only just again if then because about which who are were they them their its
    or by at one out up now every each other than more some same there's here where
    while until into over under without also
    """.split()
) - {"also"}


def _english_ratio(words: list[str]) -> float:
    if not words:
        return 0.0
    return sum(map(_ENGLISH_FUNCTION_WORDS.__contains__, map(str.lower, words))) / len(words)


def _min_confidence(n_words: int) -> float:
    """How sure the model must be before a short text is called non-English."""
    if n_words < 6:
        return 0.6
    if n_words < 12:
        return 0.45
    return 0.3


def _iso(code: str) -> str:
    return code if len(code) == 2 else "und"


# --------------------------------------------------------------------------- API

def detect_language(text: str) -> LanguageResult:
    """Tell whether ``text`` is English (policy 4.2).

    Deterministic and offline. Short or mostly technical text (logs, paths, product
    names, numbers) gets the benefit of the doubt and counts as English.
    """
    cleaned = clean_text(text or "")
    latin, other = _script_counts(cleaned)
    letters = latin + other

    if other >= MIN_NON_LATIN_LETTERS and other >= NON_LATIN_SHARE * letters:
        lang, prob = _get_identifier().classify(cleaned)
        code = _iso(lang) if lang not in _ENGLISH_LIKE else "und"
        return LanguageResult(
            False, code, round(float(prob), 3),
            "The request is written mostly in a non-Latin script, so it is not in English.",
        )

    latin_text = _strip_non_latin(cleaned) if other else cleaned
    words = _WORD.findall(latin_text)
    if sum(len(w) for w in words) < MIN_LETTERS or len(words) < MIN_WORDS:
        return LanguageResult(
            True, "und", 0.0,
            "Too little natural-language text to judge (mostly names, logs, codes or "
            "numbers), so it is given the benefit of the doubt and treated as English.",
        )

    top, top_p, english_p = _top_and_english(_get_identifier(), latin_text)
    ratio = _english_ratio(words)

    if top == "zxx":  # the model's own "no linguistic content"
        return LanguageResult(
            True, "und", round(float(top_p), 3),
            "No natural language was recognised (mostly names, logs, codes or numbers), so "
            "it is given the benefit of the doubt and treated as English.")
    if top in _ENGLISH_LIKE or english_p >= top_p:
        return LanguageResult(True, "en", round(float(english_p), 3),
                              "The request reads as English.")
    if ratio >= 0.3:
        return LanguageResult(
            True, "en", round(float(english_p), 3),
            "The request is mostly English function words, so it is treated as English.")
    if top_p >= _min_confidence(len(words)):
        return LanguageResult(
            False, _iso(top), round(float(top_p), 3),
            "The request does not appear to be written in English.")
    return LanguageResult(
        True, "und", round(float(english_p), 3),
        "The language could not be told with confidence, so the request is given the "
        "benefit of the doubt and treated as English.",
    )
