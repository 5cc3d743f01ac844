"""Spot credentials and secrets in a forum post before it is stored.

policy 8.6: credentials, sensitive data or screenshots must never be posted in the
forum. Decision: the forum refuses a post that looks like it carries credentials or
secrets, explains why, and points to the ticket system; nothing of it is stored.
policy 8.5: remote-access credentials go only through the ticket system.

    from portal.policy.secrets import find_secrets
    finding = find_secrets(post_body)
    if finding.found:
        refuse(finding.reason)          # never echoes the secret itself

Pure module: stdlib only (no Flask, peewee or the rest of ``portal``). Every pattern is
compiled once at import time, has bounded quantifiers (no catastrophic backtracking),
and the scan is deterministic: the same text always gives the same finding.

What counts as a secret is a *value*: "I forgot my password" or "the password field is
greyed out" talk about passwords and pass; "password: Xy7!kq" or "my pass is hunter2"
give one and are refused. See ``tests/policy/corpus/secrets.jsonl`` for the labelled
forum-style samples the rules were developed on, and
``tests/policy/corpus/secrets_heldout.jsonl`` for samples written without sight of this
code, which check that the rules generalise (``tests/policy/measure_secrets.py``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .reading import flowed, html_text, normalise
from .secret_commands import PW_WORDS, command_line_hits, keyed_password_hits, may_hold
from .secret_patterns import (
    ACCOUNT_KEY, ADMIN_NAMES, BEARER, COLON_PAIR, CONNECTOR, CONN_CONTEXT,
    CONN_URL, ID_PW_SEP, KEYED_VALUE, LICENSE_CTX, LICENSE_CTX_NEAR,
    LICENSE_DIGITS, LICENSE_KEY, LICENSE_LOOSE, LOGIN_CTX, MASKED,
    PAIR_CTX, PLACEHOLDER_CORE, PLACEHOLDER_WORDS,
    POSSESSIVE_BEFORE, PRIVATE_KEY, PUTTY_KEY, PW_ASSIGN, PW_BARE,
    PW_KEY, PW_NEAR, PW_WINDOW, PW_XML, RU_ID, SAS_SIG,
    SECRET_ASSIGN, SECRET_PHRASE, SLASH_PAIR, STOPWORDS, TEMPLATE,
    TIGHT_PAIR, TOKEN_LITERALS, TOKEN_PATTERNS, TRAILING, USERINFO, WORD,
    bare_word, clause_ends, is_mixed_case_word, is_password_shaped, is_placeholder, is_stopword, is_strong,
    looks_random, read_value, strip_value,
)

__all__ = ["KINDS", "MAX_SCAN_CHARS", "SecretFinding", "find_secrets"]

# A forum post is scanned in full up to this many characters; anything longer is cut
# here (the forum's own body limit is expected to be lower).
MAX_SCAN_CHARS = 64 * 1024

# Kinds, in the order they are reported, with the words used in the user-facing reason.
KINDS: dict[str, str] = {
    "remote_access": "a Remote Utilities ID together with its password",
    "password": "a password",
    "connection_string": "a connection string with a password",
    "license_key": "a license key",
    "private_key": "a private key",
    "token": "an access token or API key",
}


@dataclass(frozen=True)
class SecretFinding:
    """Whether a text carries credentials/secrets (policy 8.6), and which kinds."""

    found: bool
    kinds: tuple[str, ...]
    reason: str


# --------------------------------------------------------------------------- detectors
# Each pattern is searched only when it can match (the gates: see secret_commands.py).

def _password_hits(text: str, low: str | None = None) -> list[int]:
    """Positions of password values given in the text (policy 8.6)."""
    if low is None and text.isascii():
        low = text.lower()
    hits: list[int] = []
    pw_word = may_hold(low, PW_WORDS)

    for m in (PW_ASSIGN.finditer(text) if pw_word and (":" in text or "=" in text or "->" in text)
              else ()):
        value, quoted, end = read_value(text, m.end())
        if not value or is_placeholder(value) or is_stopword(value):
            continue
        if quoted and value.strip() and len(value) >= 3:
            hits.append(m.start())
        elif is_strong(value) or is_mixed_case_word(value):
            hits.append(m.start())
        elif (value.isalpha() and len(value) >= 4 and value.lower() not in STOPWORDS
              and clause_ends(text, end)):
            hits.append(m.start())  # "pass: admin" standing alone

    for m in (PW_XML.finditer(text) if "</" in text and may_hold(low, ("pass",)) else ()):
        value = m.group(2).strip()
        if value and not is_placeholder(value) and not is_stopword(value):
            hits.append(m.start())

    for m in (PW_BARE.finditer(text) if pw_word else ()):
        value, quoted, _end = read_value(text, m.end())
        if quoted:
            if len(value) >= 3 and not is_placeholder(value) and not is_stopword(value):
                hits.append(m.start())
        elif value and is_strong(value) and len(value) >= 6:
            hits.append(m.start())

    for m in (PW_WINDOW.finditer(text) if pw_word else ()):
        line_end = text.find("\n", m.end())
        window_end = min(len(text), m.end() + 60, line_end if line_end != -1 else len(text))
        c = CONNECTOR.search(text, m.end(), window_end)
        if not c:
            continue
        value, quoted, _end = read_value(text, c.end())
        if not value or is_stopword(value):
            continue
        if (quoted and len(value) >= 3 and not is_placeholder(value)) or is_strong(value):
            hits.append(m.start())

    for m in (SLASH_PAIR.finditer(text) if "/" in text else ()):
        value = strip_value(m.group(2))
        if is_strong(value) and LOGIN_CTX.search(text, max(0, m.start() - 40), m.start() + 1 + len(m.group(1))):
            hits.append(m.start())
    for m in (COLON_PAIR.finditer(text)
              if (":" in text or "/" in text) and may_hold(low, ("log", "user", "cred")) else ()):
        if is_strong(strip_value(m.group(2))):
            hits.append(m.start())
    hits.extend(command_line_hits(text, low))
    hits.extend(keyed_password_hits(text, low))
    if "/" in text:
        hits.extend(_tight_pair_hits(text))
    if pw_word:
        hits.extend(_shaped_value_hits(text))
    hits.extend(_secret_phrases(text, shared=True, low=low))
    return hits


_THREE_DIGITS = re.compile(r"\d{3}")


def _tight_pair_hits(text: str) -> list[int]:
    """admin/Passw0rd!: a user/password pair, with a well-known account name or a login
    word nearby."""
    hits = []
    for m in TIGHT_PAIR.finditer(text):
        if text[m.end():m.end() + 1] == "/":
            continue  # a path segment
        user, value = m.group(1), strip_value(m.group(2))
        if not is_strong(value) or value.isdigit():
            continue
        if (user.lower() in ADMIN_NAMES
                or PAIR_CTX.search(text, max(0, m.start() - 60), min(len(text), m.end() + 60))):
            hits.append(m.start())
    return hits


def _shaped_value_hits(text: str) -> list[int]:
    """A password-shaped token (see ``is_password_shaped``) within a few words of a
    password word on the same line: "same password everywhere (Blue$ky77)", "I typed
    ChangeMe!2024 as the new password". Also a quoted value after "my password is"."""
    hits = []
    for m in PW_NEAR.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end == -1 else line_end
        before = WORD.findall(text, max(line_start, m.start() - 80), m.start())[-6:]
        after = WORD.findall(text, m.end(), min(line_end, m.end() + 80))[:6]
        for word in before + after:
            if is_password_shaped(bare_word(word)):
                hits.append(m.start())
                break
        else:
            # "my password literally is 'password'": a quoted word stated as one's own
            if POSSESSIVE_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                c = CONNECTOR.match(text, m.end()) or CONNECTOR.search(text, m.end(), min(line_end, m.end() + 30))
                if c:
                    value, quoted, _end = read_value(text, c.end())
                    if (quoted and 3 <= len(value) <= 64 and " " not in value
                            and not MASKED.match(value) and not TEMPLATE.match(value)
                            and not PLACEHOLDER_WORDS.search(value.lower())
                            and (value.lower() in PLACEHOLDER_CORE or not is_stopword(value))):
                        hits.append(m.start())  # 'password', 'admin', 'changeme' given as one's own
    return hits


def _remote_access(text: str) -> bool:
    """A Remote Utilities ID with a password value nearby (policy 8.5, 8.6)."""
    if not _THREE_DIGITS.search(text):
        return False  # an ID has nine digits
    for m in RU_ID.finditer(text):
        lo, hi = max(0, m.start() - 160), min(len(text), m.end() + 200)
        window = text[lo:hi]
        for k in PW_WINDOW.finditer(window):
            after = window[k.end():k.end() + 60]
            starts = []
            direct = ID_PW_SEP.match(after)
            starts.append(direct.end() if direct else 0)
            connector = CONNECTOR.search(after, 0, 40)
            if connector:
                starts.append(connector.end())
            for start in starts:
                value, quoted, _ = read_value(after, start)
                if not value or is_stopword(value) or is_placeholder(value):
                    continue
                if (quoted or is_strong(value) or (value.isdigit() and len(value) >= 4)
                        or is_mixed_case_word(value)):
                    return True
    return False




def _license_keys(text: str) -> bool:
    if "-" not in text:
        return False  # every shape below has groups joined by "-"
    for m in LICENSE_KEY.finditer(text):
        groups = m.group(0).split("-")
        key = m.group(0)
        if not any(c.isdigit() for c in key) or not any(c.isalpha() for c in key):
            continue
        if [len(g) for g in groups] == [8, 4, 4, 4, 12]:
            continue  # a GUID, not a key
        if sum(1 for g in groups if set(g) <= {"X", "0"}) * 2 >= len(groups):
            continue  # XXXXX-XXXXX placeholder or masked key
        if sum(1 for g in groups if g.isdigit()) == len(groups):
            continue
        if len(groups) >= 4:
            return True
        if LICENSE_CTX.search(text, max(0, m.start() - 50), m.start()):
            return True
    for m in LICENSE_LOOSE.finditer(text):
        if not LICENSE_CTX_NEAR.search(text, max(0, m.start() - 40), m.start()):
            continue
        if re.match(r"\.\w", text[m.end():m.end() + 2]):
            continue  # a host or file name: ru-srv01-a.corp.local
        groups = m.group(0).split("-")
        if [len(g) for g in groups] == [8, 4, 4, 4, 12]:
            continue  # a GUID
        if sum(1 for g in groups if set(g.upper()) <= {"X", "0"}) * 2 >= len(groups):
            continue  # xxxxx-xxxxx placeholder
        mixed = [g for g in groups if any(c.isdigit() for c in g) and any(c.isalpha() for c in g)]
        if len([g for g in mixed if len(g) >= 4]) >= 2 or any(len(g) >= 8 for g in mixed):
            return True
    for m in LICENSE_DIGITS.finditer(text):
        if LICENSE_CTX_NEAR.search(text, max(0, m.start() - 40), m.start()):
            return True
    return False


def _secret_phrases(text: str, shared: bool, low: str | None = None) -> list[int]:
    """Positions of secrets named in prose ("client secret: ...", "pre-shared key: ...");
    `shared` picks the password-like shared secrets, else API secrets and keys."""
    if low is None and text.isascii():
        low = text.lower()
    hits = []
    if not (":" in text or "=" in text) or not may_hold(low, ("shared", "psk", "secret", "key")):
        return hits
    for m in SECRET_PHRASE.finditer(text):
        if bool(m.group(1)) != shared:
            continue
        value, _quoted, _end = read_value(text, m.end())
        if value and not is_placeholder(value) and (looks_random(value) or is_strong(value)):
            hits.append(m.start())
    return hits


def _tokens(text: str, low: str | None = None) -> bool:
    if low is None and text.isascii():
        low = text.lower()
    for pattern, literals in zip(TOKEN_PATTERNS, TOKEN_LITERALS):
        if any(s in text for s in literals) and pattern.search(text):
            return True
    for m in (BEARER.finditer(text) if "Bearer" in text or "Token" in text else ()):
        if looks_random(m.group(1)):
            return True
    for m in (SECRET_ASSIGN.finditer(text)
              if (":" in text or "=" in text) and may_hold(low, ("key", "secret", "token")) else ()):
        if looks_random(m.group(1)):
            return True
    if _secret_phrases(text, shared=False, low=low):
        return True
    for m in (KEYED_VALUE.finditer(text) if "=" in text and may_hold(low, ("value",)) else ()):
        if re.fullmatch(PW_KEY, m.group(3), re.I):
            continue  # a password key: see _password_hits
        value, _quoted, _end = read_value(text, m.end())
        if value and not is_placeholder(value) and (looks_random(value) or is_strong(value)):
            return True
    return False


def _connection_string_hits(text: str) -> list[int]:
    hits = []
    for m in (CONN_URL.finditer(text) if "://" in text else ()):
        pw = m.group(2)
        if not is_placeholder(pw) and not is_stopword(pw) and not pw.isdigit():
            hits.append(m.start())
    for m in (USERINFO.finditer(text) if ":" in text and "@" in text else ()):
        if is_strong(m.group(1)):
            hits.append(m.start())
    for pattern in (ACCOUNT_KEY, SAS_SIG):
        if "=" not in text or (pattern is SAS_SIG and "sig=" not in text):
            continue
        for m in pattern.finditer(text):
            if looks_random(m.group(1)):
                hits.append(m.start())
    return hits


def _in_connection_string(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    segment = text[max(line_start, pos - 200):pos]
    token_start = max(segment.rfind(" "), segment.rfind("\t")) + 1
    return bool(CONN_CONTEXT.search(segment)) and (
        ";" in segment or "://" in segment[token_start:] or "?" in segment[token_start:])


# --------------------------------------------------------------------------- API

def _reason(kinds: tuple[str, ...], channel: str = "forum") -> str:
    if not kinds:
        return "No credentials or secrets were found."
    parts = [KINDS[k] for k in kinds]
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if channel == "ticket":  # policy 8.5: credentials have their own encrypted form
        return (f"This message appears to contain {what}. Nothing was saved: ticket messages are "
                "kept for good, so remove it here and send remote-access credentials through "
                "this ticket's credentials form, where they are encrypted and destroyed after "
                "the session (policy 8.5).")
    return (f"This post appears to contain {what}; credentials and secrets must never be "
            "posted in the forum, so please remove them and send them only through a "
            "support ticket.")


def find_secrets(text: str, *, html: bool = False, channel: str = "forum") -> SecretFinding:
    """Look for credentials or secrets in what a reader of ``text`` gets (policy 8.6, 8.5).

    ``html=True`` takes rendered, sanitised HTML (a forum post): tags go, entities are
    decoded and table cells pair with their headers first (``reading.html_text``). Either
    way the text is normalised (look-alike letters, zero-width characters, fullwidth forms)
    and read twice: line by line, and flowed, so that a keyword and its value in
    neighbouring paragraphs meet. Scans the first ``MAX_SCAN_CHARS`` characters. The reason
    names what kind of secret was seen but never repeats it; ``channel`` ("forum" or
    "ticket") picks where it sends the writer instead.
    """
    if not text:
        return SecretFinding(False, (), _reason(()))
    text = text[:MAX_SCAN_CHARS * 2 if html else MAX_SCAN_CHARS]
    text = normalise(html_text(text) if html else text)[:MAX_SCAN_CHARS]
    found = _scan(text)
    if "\n" in text:
        found |= _scan(flowed(text))
    if "remote_access" in found:
        found.discard("password")  # the remote-access wording already names the password
    kinds = tuple(k for k in KINDS if k in found)
    return SecretFinding(bool(kinds), kinds, _reason(kinds, channel))


def _scan(text: str) -> set[str]:
    found: set[str] = set()
    low = text.lower() if text.isascii() else None  # for the gates: see secret_commands.may_hold
    if (("-----BEGIN" in text and PRIVATE_KEY.search(text))
            or ("PuTTY-User-Key-File-" in text and PUTTY_KEY.search(text))):
        found.add("private_key")
    if _tokens(text, low):
        found.add("token")
    if _license_keys(text):
        found.add("license_key")
    if _connection_string_hits(text):
        found.add("connection_string")
    for pos in _password_hits(text, low):
        found.add("connection_string" if _in_connection_string(text, pos) else "password")
    if _remote_access(text):
        found.add("remote_access")
    return found
