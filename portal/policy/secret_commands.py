"""Secrets given on command lines and in key/value settings, and the gates that skip the
patterns of the secret guard which cannot match a text (portal.policy.secrets, policy 8.6).

Pure module: stdlib only. Split off secrets.py to keep modules small.
"""
from __future__ import annotations

import re

from .secret_patterns import (
    DASH_U_P, KEYED_VALUE, MYSQL_P, NET_USER, NET_USE_USER, NUMERIC_SHAPE, PLINK_PW, PW_KEY,
    SECURE_STRING, SSHPASS, USER_COLON, is_placeholder, is_stopword, is_strong, read_value,
    strip_value,
)

# --------------------------------------------------------------------------- gates
# Speed only (a filing scans subject and body): a pattern is skipped when it cannot match.
# Two kinds of gate, both exact: a literal the pattern needs, case-sensitive ("://", "-u",
# "="), checked on the text itself; and words a case-insensitive pattern needs, checked on
# ``low``, the lower-cased text, which `_scan` gives only for a pure-ASCII text (else None:
# re.I folds some non-ASCII letters to ASCII ones, the Kelvin sign K to k, the long s to s,
# so a non-ASCII text always takes the full path). tests/policy/test_fast_paths_equal.py
# checks the results against the ungated code kept in tests/policy/oracle.

# Substrings one of which every match of PW_KEY (so PW_WORD) holds in an ASCII text.
PW_WORDS = ("pass", "pw", "kennwort", "contrase", "senha", "parol", "haslo", "wachtwoord",
             "losenord", "adgangskode", "salasana", "jelszo", "heslo", "lozinka", "sifre")


def may_hold(low: str | None, words: tuple[str, ...]) -> bool:
    """False only when ``low`` (an ASCII text, lower case) holds none of ``words``."""
    return low is None or any(w in low for w in words)


def given(value: str, quoted: bool) -> bool:
    """A value typed on a command line: a quoted literal, or a password-like bare word."""
    if not value or is_placeholder(value) or is_stopword(value) or value in ("*", "-"):
        return False
    if quoted:
        return len(value) >= 3
    return is_strong(value) and not value.isdigit()


def command_line_hits(text: str, low: str | None = None) -> list[int]:
    """Passwords given as arguments: net user/net use, psexec -u -p, plink -pw, sshpass -p,
    mysql -pXXX, curl -u user:pass, ConvertTo-SecureString "..." (policy 8.6)."""
    if low is None and text.isascii():
        low = text.lower()
    hits = []
    dash_u = "-u" in text  # DASH_U_P, USER_COLON (-u, --user): case-sensitive
    patterns = (
        NET_USER if may_hold(low, ("net",)) and may_hold(low, ("user",)) else None,
        NET_USE_USER if "/" in text and ":" in text and may_hold(low, ("/u",)) else None,
        DASH_U_P if dash_u and "-p" in text else None,
        PLINK_PW if "-" in text and may_hold(low, ("-pw",)) and may_hold(low, ("plink", "pscp", "psftp"))
        else None,
        SSHPASS if "sshpass" in text else None,
    )
    for pattern in patterns:
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            value, quoted, _end = read_value(text, m.end())
            if value.startswith("/") and not quoted:
                continue  # the next switch, not a password
            if given(value, quoted):
                hits.append(m.start())
    for m in (MYSQL_P.finditer(text)
              if "-p" in text and ("mysql" in text or "mariadb" in text) else ()):
        value, quoted, _end = read_value(text, m.end())
        if value and not is_placeholder(value) and (quoted or len(value) >= 3):
            hits.append(m.start())
    for m in (USER_COLON.finditer(text) if dash_u and ":" in text else ()):
        value = strip_value(m.group(2))
        if (len(value) >= 3 and not value.isdigit() and not is_placeholder(value)
                and not is_stopword(value) and not NUMERIC_SHAPE.match(value)):
            hits.append(m.start())
    for m in (SECURE_STRING.finditer(text)
              if "-" in text and may_hold(low, ("convertto-securestring",)) else ()):
        value, quoted, _end = read_value(text, m.end())
        if quoted and given(value, True):
            hits.append(m.start())
    return hits


def keyed_password_hits(text: str, low: str | None = None) -> list[int]:
    """<add key="AdminPassword" value="..."/>: a key/value pair whose key names a password."""
    if low is None and text.isascii():
        low = text.lower()
    hits = []
    for m in (KEYED_VALUE.finditer(text) if "=" in text and may_hold(low, ("value",)) else ()):
        if not re.fullmatch(PW_KEY, m.group(3), re.I):
            continue
        value, quoted, _end = read_value(text, m.end())
        if quoted and given(value, True):
            hits.append(m.start())
    return hits
