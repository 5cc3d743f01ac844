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

import math
import re
from collections import Counter
from dataclasses import dataclass

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


# --------------------------------------------------------------------------- values

# Words that follow "password:"/"password is" in ordinary talk: never a value.
_STOPWORDS = frozenset(
    """
    a an the this that these those it its is was be been being are were am
    not no none nothing null nil empty blank unset set yes ok okay true false on off
    required optional mandatory needed missing lost forgotten forgot reset changed
    correct incorrect wrong invalid valid denied accepted rejected failed failure
    expired expiring disabled enabled protected hidden shown visible greyed grayed
    prompt prompted field box dialog window button option options setting settings
    same different new old current default defaults usual previous strong weak
    long short too very still also just now already same unknown see check
    here there below above attached ticket removed redacted omitted masked
    stored saved encrypted hashed plain text plaintext
    whatever something anything everything someone nobody
    username user login password passwd pass pwd pw
    secret token key value your my his her our their
    vergessen falsch richtig korrekt leer ungültig gesperrt geändert
    oublié incorrect faux vide olvidada incorrecta vacía esqueci errada
    for from with without by to of in at as and or but if then when
    after before every each always never sometimes
    """.split()
)

# Placeholders people type instead of a real value.
_PLACEHOLDER_CORE = frozenset(
    "password passwd pass pwd pw passphrase secret token key apikey value here "
    "changeme xxx xxxx xxxxx redacted hidden removed omitted masked example sample "
    "dummy placeholder foo bar foobar test".split()
)
_PLACEHOLDER_PREFIX = re.compile(r"^(?:my|your|the|some|new|old|example|sample|dummy|db|user)[_-]?", re.I)
_MASKED = re.compile(r"^[*\u2022\u25cf\u00b7xX#.?_-]+$")
_TEMPLATE = re.compile(r"^(?:<.*>|\{.*\}|\[.*\]|\$\{.*|\$\(.*|%[\w]+%|\$[A-Za-z_]\w*|\{\{.*)$")
_VERSION = re.compile(r"^v?\d+(?:\.\d+){1,3}[a-z]?$", re.I)
_NUMERIC_SHAPE = re.compile(r"^[\d.:/ -]+$")  # IPs, dates, IDs, times: digits + separators
_ACRONYM_DIGITS = re.compile(r"^(?:[A-Z]{1,7}\d{1,4}|\d{1,4}[A-Z]{1,4}|[xX](?:64|86)|[Ww]in\d+|IPv[46])$")
_WORD_ALTERNATIVES = re.compile(r"^[A-Za-z]+(?:/[A-Za-z]+)+$")  # "yes/no", "and/or"
_KEY_VALUE_LIKE = re.compile(r"^[A-Za-z_][\w-]*[=:]")
_PW_SYMBOLS = set("!@#$%^&*+=?~|<>")

_TRAILING = ".,;:!?)]}>'\"`\u2019\u201d"
_QUOTES = {"'": "'", '"': '"', "`": "`", "\u2018": "\u2019", "\u201c": "\u201d"}


def _strip_value(value: str) -> str:
    return value.rstrip(_TRAILING)


def _is_placeholder(value: str) -> bool:
    low = value.lower()
    if not value or _MASKED.match(value) or _TEMPLATE.match(value):
        return True
    core = _PLACEHOLDER_PREFIX.sub("", low).replace("_", "").replace("-", "")
    if core in _PLACEHOLDER_CORE or low in _PLACEHOLDER_CORE:
        return True
    return low.startswith(("your", "<", "{", "${", "%", "xxxx")) or bool(_PLACEHOLDER_WORDS.search(low))


_PLACEHOLDER_WORDS = re.compile(r"your|replace|placeholder|insert|example|redacted|xxxxx|\.\.\.")


def _is_stopword(value: str) -> bool:
    return value.lower() in _STOPWORDS


def _char_classes(value: str) -> tuple[bool, bool, bool, bool, bool]:
    has_lower = any(c.islower() for c in value)
    has_upper = any(c.isupper() for c in value)
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(c in _PW_SYMBOLS for c in value)
    return has_lower, has_upper, has_digit, has_symbol, has_lower or has_upper


def _is_strong(value: str) -> bool:
    """A string that reads as a password, not as a word: letters with digits or symbols,
    or a long run of digits (a PIN / one-time password)."""
    if len(value) < 4 or len(value) > 128:
        return False
    if (_is_placeholder(value) or _VERSION.match(value) or _ACRONYM_DIGITS.match(value)
            or _WORD_ALTERNATIVES.match(value) or _KEY_VALUE_LIKE.match(value)
            or "://" in value or value.startswith(("/", "\\", "(", "-"))):
        return False
    if value.isdigit():
        return len(value) >= 6
    if _NUMERIC_SHAPE.match(value):
        return False
    _lower, _upper, digit, symbol, letters = _char_classes(value)
    return letters and (digit or symbol)


def _is_mixed_case_word(value: str) -> bool:
    """'BlueOcean', 'PaSsWoRd': an upper-case letter after the first, plus lower case."""
    return (value.isalpha() and any(c.isupper() for c in value[1:])
            and any(c.islower() for c in value) and not value.isupper())


def _read_value(text: str, pos: int) -> tuple[str, bool, int]:
    """The value starting at ``pos``: (value, was_quoted, end). Quoted values run to the
    closing quote on the same line; bare ones to the next blank or delimiter."""
    if pos < len(text) and text[pos] in _QUOTES:
        close = _QUOTES[text[pos]]
        end = text.find(close, pos + 1, pos + 130)
        nl = text.find("\n", pos + 1, pos + 130)
        if end != -1 and (nl == -1 or end < nl):
            return text[pos + 1:end], True, end + 1
        pos += 1
    m = _BARE_VALUE.match(text, pos)
    if not m:
        return "", False, pos
    return _strip_value(m.group(0)), False, m.end()


_BARE_VALUE = re.compile(r"[^\s;,'\"<>]{1,128}")


def _clause_ends(text: str, end: int) -> bool:
    """True when nothing but a clause break follows a value (end of text/line, or ,;.)|
    or the next thing is another ``key:`` pair)."""
    rest = text[end:end + 40]
    stripped = rest.lstrip(" \t")
    if not stripped or stripped[0] in "\r\n,;.)|(" or rest[:1] in ",;.)":
        return True
    return bool(re.match(r"[A-Za-z][\w -]{0,20}[:=]", stripped))


# --------------------------------------------------------------------------- patterns

# Password words in other languages a forum user may write in (German, French, Spanish,
# Portuguese, Russian/Slavic, Polish, Dutch, Nordic, Finnish, Hungarian, Turkish, Italian).
_PW_KEY_INTL = (r"(?:passwort|kennwort|mot[ \t]+de[ \t]+passe|contrase(?:ña|na)|contrasenya|senha|"
                r"parol|пароль|hasło|haslo|wachtwoord|lösenord|losenord|passord|adgangskode|"
                r"salasana|jelszó|jelszo|heslo|lozinka|şifre|sifre|parola)(?!\w)")
_PW_KEY = r"(?:" + _PW_KEY_INTL + r"|password|passwd|passphrase|passcode|pass|pwd|pw)"
# The unambiguous subset (no "pass"): used where a value is judged by its shape alone.
_PW_WORD = r"(?:" + _PW_KEY_INTL + r"|password|passwd|passphrase|passcode|pwd|pw)"
# identifiers ending in a password word: SMTP_PASSWORD, db-pass, adminpwd, newPassword
_PW_IDENT_PREFIX = (r"(?:(?:[A-Za-z0-9]{1,24}[_.-]){0,4}"
                    r"(?:admin|root|db|host|master|user|smtp|ftp|vnc|proxy|new|old|my|sql|mail|login)?)")

# password: value / password=value / pwd := value / /password:value / --password=value
_PW_ASSIGN = re.compile(
    r"(?<![A-Za-z0-9])" + _PW_IDENT_PREFIX + _PW_KEY + r"(?![A-Za-z0-9])"
    r"[ \t]*(?::=|=>|->|[:=])[ \t]*",
    re.I,
)
# <password>value</password>
_PW_XML = re.compile(r"<(\w{0,20}pass(?:word|wd)?\w{0,10})>([^<\n]{1,128})</\1>", re.I)
# password <value>, "the password hunter2", "password 'BlueOcean'"
_PW_BARE = re.compile(r"(?<![A-Za-z0-9_/\\-])" + _PW_KEY + r"(?![A-Za-z0-9_:=-])[ \t]+", re.I)
# password ... is/was/to/as/: <value> within a short window
_PW_WINDOW = re.compile(r"(?<![A-Za-z0-9_])" + _PW_KEY + r"(?![A-Za-z0-9_])", re.I)
_CONNECTOR = re.compile(
    r"(?:\b(?:is|was|are|to|as)\b(?:[ \t]+(?:still|now|just|currently|simply|literally|set[ \t]+to))?"
    r"|[:=])[ \t]+",
    re.I,
)
# login admin / Passw0rd!   user: x, pass...   Account: a@b.c / Secret1!
_LOGIN_CTX = re.compile(r"\b(?:log-?in|user(?:name)?|account|creds|credentials|admin)\b", re.I)
_SLASH_PAIR = re.compile(r"([^\s/]{2,64})[ \t]+/[ \t]+(\S{4,64})")
_COLON_PAIR = re.compile(
    r"\b(?:log-?in|user(?:name)?|creds|credentials)\b[ \t:=]{1,3}([\w.@-]{2,40})[:/]([^\s/:]{4,64})", re.I)

# Remote Utilities Internet-ID: 9 digits, optionally grouped 3-3-3
_RU_ID = re.compile(r"(?<![\d.:/-])\d{3}([ -]?)\d{3}\1\d{3}(?![\d.:/-])")

# XXXXX-XXXXX-XXXXX-XXXXX style license / product keys
_LICENSE_KEY = re.compile(r"(?<![A-Za-z0-9-])[A-Z0-9]{4,8}(?:-[A-Z0-9]{4,8}){2,7}(?![A-Za-z0-9-])")
_LICENSE_CTX = re.compile(r"\b(?:license|licence|key|serial|activation|registration|product)\b", re.I)
# Looser shapes accepted only right after a license word: lower case or mixed groups of
# any length ("ruviewer-9f3kq-22xlm-p7w0d", "RU-ENT-2024-7F3K9Q2MXP4L") and all-digit
# activation codes of four or more groups ("7731-4482-9910-2365-0087").
_LICENSE_LOOSE = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]{2,16}(?:-[A-Za-z0-9]{2,16}){2,7}(?![A-Za-z0-9-])")
_LICENSE_DIGITS = re.compile(r"(?<![\d-])\d{4,6}(?:-\d{4,6}){3,7}(?![\d-])")
_LICENSE_CTX_NEAR = re.compile(
    r"\b(?:license|licence|serial|activation|registration|product|cd)[ \t-]*(?:key|code|number|no\.?|#)?"
    r"|\bkey\b", re.I)

_PRIVATE_KEY = re.compile(
    r"-----BEGIN[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----\s*"
    r"(?:[A-Za-z-]{1,30}:[^\n]{0,200}\n\s*){0,6}[A-Za-z0-9+/=]{24,}"
)
_PUTTY_KEY = re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]{0,3000}?Private-Lines:\s*\d+\s+[A-Za-z0-9+/=]{24,}")

_TOKEN_PATTERNS = tuple(re.compile(p) for p in (
    r"(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])",  # AWS key id
    r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{30,255}",                                         # GitHub
    r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{40,255}",                                         # GitHub fine-grained
    r"(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}",                                                # GitLab
    r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}",                                        # Slack
    r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}",         # Slack webhook
    r"(?<![A-Za-z0-9])[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",                                    # Stripe
    r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{33,37}(?![A-Za-z0-9_-])",                                                   # Google API key
    r"(?<![A-Za-z0-9])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}",                                    # OpenAI/Anthropic style
    r"(?<![A-Za-z0-9])hv[sbr]\.[A-Za-z0-9_-]{24,}",                                             # HashiCorp Vault
    r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",         # JWT
    r"(?<![\w:/.-])\d{8,10}:[A-Za-z0-9_-]{35}(?![\w-])",                                        # Telegram bot
    r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/\d{15,21}/[A-Za-z0-9_-]{40,128}",  # Discord
    r"https://[\w-]{1,63}\.webhook\.office\.com/webhookb2/[\w@-]{20,200}/IncomingWebhook/[0-9a-f]{32}",  # Teams
    r"(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])",           # SendGrid
    r"(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])",                                      # npm
    r"(?<![A-Za-z0-9])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",                                   # PyPI
    r"(?<![A-Za-z0-9])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])",                       # Shopify
    r"(?<![A-Za-z0-9])(?:glptt|gldt|glrt)-[A-Za-z0-9_-]{20,}",                                   # GitLab others
    r"(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/=]{24,}",                                               # Stripe webhook
))
_BEARER = re.compile(r"\b(?:Bearer|Token)[ \t]+([A-Za-z0-9._~+/=-]{20,512})")
_SECRET_ASSIGN = re.compile(
    r"(?<![A-Za-z0-9])\$?(?:[A-Za-z0-9]{1,24}[_.-]){0,4}"
    r"(?:api[_-]?key|apikey|api[_-]?secret|api[_-]?token|secret(?:[_-]?(?:access[_-]?)?key)?|"
    r"client[_-]?secret|(?:access|auth|refresh|bot|bearer|private|session|personal)[_-]?token|token|"
    r"access[_-]?key(?:[_-]?id)?)"
    r"(?![A-Za-z0-9])['\"]?[ \t]*(?::=|=>|[:=])[ \t]*['\"]?([A-Za-z0-9_\-./+=!]{16,512})",
    re.I,
)

# user:pass@host without a scheme (ssh/scp style); only with a password-like value
_USERINFO = re.compile(
    r"(?<![\w:/.@-])[A-Za-z_][\w.-]{0,30}:([^\s:@/]{4,64})@(?:\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)+)")
_CONN_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://([^\s:/@]{0,64}):([^\s@/]{1,128})@[\w.-]{1,253}")
_CONN_CONTEXT = re.compile(
    r"(?:://|\b(?:server|data source|database|initial catalog|host|uid|user id|dsn)\s*=)", re.I)


# Azure storage / Service Bus keys and SAS signatures inside a connection string or URL
_ACCOUNT_KEY = re.compile(
    r"(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey|SharedSecret)[ \t]*=[ \t]*([A-Za-z0-9+/]{20,200}={0,2})", re.I)
_SAS_SIG = re.compile(r"[?&;]sig=([A-Za-z0-9%+/=]{20,200})")

# ---- command lines that carry a password (policy 8.6)
# net user NAME PASS [/add]
_NET_USER = re.compile(r"\bnet(?:\.exe)?[ \t]+user[ \t]+(?:\"[^\"\n]{1,40}\"|[^\s\"/]{1,40})[ \t]+", re.I)
# net use X: \\srv\share /user:DOMAIN\name PASS
_NET_USE_USER = re.compile(r"(?<![\w/])/u(?:ser)?:(?:\"[^\"\n]{1,60}\"|\S{1,60})[ \t]+", re.I)
# psexec / plink / many CLIs: -u NAME -p PASS (also -pw for plink)
_DASH_U_P = re.compile(r"(?<!\S)-u[ \t]+\S{1,64}[ \t]+-pw?[ \t]+")
_PLINK_PW = re.compile(r"\b(?:plink|pscp|psftp)(?:\.exe)?\b[^\n]{0,160}?(?<!\S)-pw[ \t]+", re.I)
_SSHPASS = re.compile(r"\bsshpass[ \t]+-p[ \t]*")
# mysql -uroot -pS3cret (no blank after -p: the value is the password)
_MYSQL_P = re.compile(r"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)(?:\.exe)?\b[^\n|;&]{0,160}?(?<!\S)-p(?=[^\s-])")
# curl -u user:pass / --user user:pass (also wget --http-password handled by _PW_ASSIGN)
_USER_COLON = re.compile(r"(?<!\S)(?:-u|--user)[ \t]+['\"]?([^\s:'\"]{1,64}):([^\s'\"]{1,128})")
# $pw = ConvertTo-SecureString "literal" -AsPlainText -Force
_SECURE_STRING = re.compile(r"\bConvertTo-SecureString[ \t]+(?:-String[ \t]+)?(?=['\"])", re.I)

# <add key="RuAdminPassword" value="..."/>, name="SmtpPwd" value="..."
_KEYED_VALUE = re.compile(
    r"\b(?:key|name)[ \t]*=[ \t]*([\"'])([\w.:-]{0,40}?(" + _PW_KEY + r"|secret|token|api[_-]?key|apikey))\1"
    r"[ \t]+value[ \t]*=[ \t]*(?=['\"])",
    re.I,
)

# admin/Passw0rd!, Administrator/Rem0teU! : user/password pair without blanks
_TIGHT_PAIR = re.compile(r"(?<![\w/\\.:@%&=?#-])([A-Za-z][\w.@-]{1,40})/([^\s/]{4,64})")
_ADMIN_NAMES = frozenset(
    "admin administrator root sa user guest support operator helpdesk service superuser "
    "sysadmin manager owner tech".split())
_PAIR_CTX = re.compile(
    r"\b(?:log-?in|logon|sign-?in|user(?:name)?|account|creds|credentials|combos?|combinations?|"
    r"let[ \t]+me[ \t]+in|tried)\b", re.I)

# a password word, for the "password-shaped value nearby" rule
_PW_NEAR = re.compile(r"(?<![A-Za-z0-9_])" + _PW_WORD + r"(?![A-Za-z0-9_])", re.I)
_POSSESSIVE_BEFORE = re.compile(r"\b(?:my|our)[ \t]+(?:[A-Za-z-]{1,20}[ \t]+)?$", re.I)
_WORD = re.compile(r"\S{1,200}")
_HEXLIKE = re.compile(r"^(?:0x)?[0-9A-Fa-f]+$|^0x", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[\w-]+(?:\.[\w-]+)+$")
_DOTTED_NAME = re.compile(r"\.(?:[a-z]{2,4}|local|corp|internal|exe|dll|msi|log|ini|xml|json|txt)$", re.I)
_PRODUCT_NAME = re.compile(r"^[A-Z][a-z]+[-_.]?\d{1,3}$")  # Windows10, Office365, Server-2
_KEY_CHORD = re.compile(r"^[A-Za-z0-9]{1,6}(?:\+[A-Za-z0-9]{1,6})+$")  # Ctrl+Alt+Del


def _is_password_shaped(value: str) -> bool:
    """A token that reads as a password on its own: 8-64 characters mixing at least three
    of lower case, upper case, digits and symbols; not a path, URL, switch, hex number,
    hash, GUID, version, e-mail, host or file name, or key=value."""
    if not 8 <= len(value) <= 64:
        return False
    if (any(c in value for c in "/\\:=,;()[]{}<>\"'`") or value.startswith(("-", "$", "%", "&"))
            or _HEXLIKE.match(value) or _VERSION.match(value) or _EMAIL.match(value)
            or _DOTTED_NAME.search(value) or _PRODUCT_NAME.match(value) or _KEY_CHORD.match(value)
            or _is_placeholder(value)):
        return False
    lower, upper, digit, symbol, _letters = _char_classes(value)  # "-_." are no symbols here
    if not (lower or upper):
        return False
    return lower + upper + digit + symbol >= 3


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _looks_random(value: str) -> bool:
    """High-entropy token: letters with digits (or mixed case when long), entropy >= 3."""
    value = value.strip("'\"")
    if len(value) < 16 or _is_placeholder(value) or _VERSION.match(value):
        return False
    lower, upper, digit, _symbol, _letters = _char_classes(value)
    if not ((lower or upper) and digit) and not (lower and upper and len(value) >= 20):
        return False
    return _entropy(value) >= 3.0


# --------------------------------------------------------------------------- detectors

def _password_hits(text: str) -> list[int]:
    """Positions of password values given in the text (policy 8.6)."""
    hits: list[int] = []

    for m in _PW_ASSIGN.finditer(text):
        value, quoted, end = _read_value(text, m.end())
        if not value or _is_placeholder(value) or _is_stopword(value):
            continue
        if quoted and value.strip() and len(value) >= 3:
            hits.append(m.start())
        elif _is_strong(value) or _is_mixed_case_word(value):
            hits.append(m.start())
        elif (value.isalpha() and len(value) >= 4 and value.lower() not in _STOPWORDS
              and _clause_ends(text, end)):
            hits.append(m.start())  # "pass: admin" standing alone

    for m in _PW_XML.finditer(text):
        value = m.group(2).strip()
        if value and not _is_placeholder(value) and not _is_stopword(value):
            hits.append(m.start())

    for m in _PW_BARE.finditer(text):
        value, quoted, _end = _read_value(text, m.end())
        if quoted:
            if len(value) >= 3 and not _is_placeholder(value) and not _is_stopword(value):
                hits.append(m.start())
        elif value and _is_strong(value) and len(value) >= 6:
            hits.append(m.start())

    for m in _PW_WINDOW.finditer(text):
        line_end = text.find("\n", m.end())
        window_end = min(len(text), m.end() + 60, line_end if line_end != -1 else len(text))
        c = _CONNECTOR.search(text, m.end(), window_end)
        if not c:
            continue
        value, quoted, _end = _read_value(text, c.end())
        if not value or _is_stopword(value):
            continue
        if (quoted and len(value) >= 3 and not _is_placeholder(value)) or _is_strong(value):
            hits.append(m.start())

    for m in _SLASH_PAIR.finditer(text):
        value = _strip_value(m.group(2))
        if _is_strong(value) and _LOGIN_CTX.search(text, max(0, m.start() - 40), m.start() + 1 + len(m.group(1))):
            hits.append(m.start())
    for m in _COLON_PAIR.finditer(text):
        if _is_strong(_strip_value(m.group(2))):
            hits.append(m.start())
    hits.extend(_command_line_hits(text))
    hits.extend(_keyed_password_hits(text))
    hits.extend(_tight_pair_hits(text))
    hits.extend(_shaped_value_hits(text))
    return hits


def _given(value: str, quoted: bool) -> bool:
    """A value typed on a command line: a quoted literal, or a password-like bare word."""
    if not value or _is_placeholder(value) or _is_stopword(value) or value in ("*", "-"):
        return False
    if quoted:
        return len(value) >= 3
    return _is_strong(value) and not value.isdigit()


def _command_line_hits(text: str) -> list[int]:
    """Passwords given as arguments: net user/net use, psexec -u -p, plink -pw, sshpass -p,
    mysql -pXXX, curl -u user:pass, ConvertTo-SecureString "..." (policy 8.6)."""
    hits = []
    for pattern in (_NET_USER, _NET_USE_USER, _DASH_U_P, _PLINK_PW, _SSHPASS):
        for m in pattern.finditer(text):
            value, quoted, _end = _read_value(text, m.end())
            if value.startswith("/") and not quoted:
                continue  # the next switch, not a password
            if _given(value, quoted):
                hits.append(m.start())
    for m in _MYSQL_P.finditer(text):
        value, quoted, _end = _read_value(text, m.end())
        if value and not _is_placeholder(value) and (quoted or len(value) >= 3):
            hits.append(m.start())
    for m in _USER_COLON.finditer(text):
        value = _strip_value(m.group(2))
        if (len(value) >= 3 and not value.isdigit() and not _is_placeholder(value)
                and not _is_stopword(value) and not _NUMERIC_SHAPE.match(value)):
            hits.append(m.start())
    for m in _SECURE_STRING.finditer(text):
        value, quoted, _end = _read_value(text, m.end())
        if quoted and _given(value, True):
            hits.append(m.start())
    return hits


def _keyed_password_hits(text: str) -> list[int]:
    """<add key="AdminPassword" value="..."/>: a key/value pair whose key names a password."""
    hits = []
    for m in _KEYED_VALUE.finditer(text):
        if not re.fullmatch(_PW_KEY, m.group(3), re.I):
            continue
        value, quoted, _end = _read_value(text, m.end())
        if quoted and _given(value, True):
            hits.append(m.start())
    return hits


def _tight_pair_hits(text: str) -> list[int]:
    """admin/Passw0rd!: a user/password pair, with a well-known account name or a login
    word nearby."""
    hits = []
    for m in _TIGHT_PAIR.finditer(text):
        if text[m.end():m.end() + 1] == "/":
            continue  # a path segment
        user, value = m.group(1), _strip_value(m.group(2))
        if not _is_strong(value) or value.isdigit():
            continue
        if (user.lower() in _ADMIN_NAMES
                or _PAIR_CTX.search(text, max(0, m.start() - 60), min(len(text), m.end() + 60))):
            hits.append(m.start())
    return hits


def _shaped_value_hits(text: str) -> list[int]:
    """A password-shaped token (see ``_is_password_shaped``) within a few words of a
    password word on the same line: "same password everywhere (Blue$ky77)", "I typed
    ChangeMe!2024 as the new password". Also a quoted value after "my password is"."""
    hits = []
    for m in _PW_NEAR.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end == -1 else line_end
        before = _WORD.findall(text, max(line_start, m.start() - 80), m.start())[-6:]
        after = _WORD.findall(text, m.end(), min(line_end, m.end() + 80))[:6]
        for word in before + after:
            if _is_password_shaped(word.strip("([{'\"`\u2018\u201c").rstrip(_TRAILING)):
                hits.append(m.start())
                break
        else:
            # "my password literally is 'password'": a quoted word stated as one's own
            if _POSSESSIVE_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                c = _CONNECTOR.match(text, m.end()) or _CONNECTOR.search(text, m.end(), min(line_end, m.end() + 30))
                if c:
                    value, quoted, _end = _read_value(text, c.end())
                    if (quoted and 3 <= len(value) <= 64 and " " not in value
                            and not _MASKED.match(value) and not _TEMPLATE.match(value)
                            and not _PLACEHOLDER_WORDS.search(value.lower())
                            and (value.lower() in _PLACEHOLDER_CORE or not _is_stopword(value))):
                        hits.append(m.start())  # 'password', 'admin', 'changeme' given as one's own
    return hits


def _remote_access(text: str) -> bool:
    """A Remote Utilities ID with a password value nearby (policy 8.5, 8.6)."""
    for m in _RU_ID.finditer(text):
        lo, hi = max(0, m.start() - 160), min(len(text), m.end() + 200)
        window = text[lo:hi]
        for k in _PW_WINDOW.finditer(window):
            after = window[k.end():k.end() + 60]
            starts = []
            direct = _ID_PW_SEP.match(after)
            starts.append(direct.end() if direct else 0)
            connector = _CONNECTOR.search(after, 0, 40)
            if connector:
                starts.append(connector.end())
            for start in starts:
                value, quoted, _ = _read_value(after, start)
                if not value or _is_stopword(value) or _is_placeholder(value):
                    continue
                if (quoted or _is_strong(value) or (value.isdigit() and len(value) >= 4)
                        or _is_mixed_case_word(value)):
                    return True
    return False


_ID_PW_SEP = re.compile(r"[ \t]*(?:(?:is|was)\b|[:=-])?[ \t]*", re.I)


def _license_keys(text: str) -> bool:
    for m in _LICENSE_KEY.finditer(text):
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
        if _LICENSE_CTX.search(text, max(0, m.start() - 50), m.start()):
            return True
    for m in _LICENSE_LOOSE.finditer(text):
        if not _LICENSE_CTX_NEAR.search(text, max(0, m.start() - 40), m.start()):
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
    for m in _LICENSE_DIGITS.finditer(text):
        if _LICENSE_CTX_NEAR.search(text, max(0, m.start() - 40), m.start()):
            return True
    return False


def _tokens(text: str) -> bool:
    if any(p.search(text) for p in _TOKEN_PATTERNS):
        return True
    for m in _BEARER.finditer(text):
        if _looks_random(m.group(1)):
            return True
    for m in _SECRET_ASSIGN.finditer(text):
        if _looks_random(m.group(1)):
            return True
    for m in _KEYED_VALUE.finditer(text):
        if re.fullmatch(_PW_KEY, m.group(3), re.I):
            continue  # a password key: see _password_hits
        value, _quoted, _end = _read_value(text, m.end())
        if value and not _is_placeholder(value) and (_looks_random(value) or _is_strong(value)):
            return True
    return False


def _connection_string_hits(text: str) -> list[int]:
    hits = []
    for m in _CONN_URL.finditer(text):
        pw = m.group(2)
        if not _is_placeholder(pw) and not _is_stopword(pw) and not pw.isdigit():
            hits.append(m.start())
    for m in _USERINFO.finditer(text):
        if _is_strong(m.group(1)):
            hits.append(m.start())
    for pattern in (_ACCOUNT_KEY, _SAS_SIG):
        for m in pattern.finditer(text):
            if _looks_random(m.group(1)):
                hits.append(m.start())
    return hits


def _in_connection_string(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    segment = text[max(line_start, pos - 200):pos]
    token_start = max(segment.rfind(" "), segment.rfind("\t")) + 1
    return bool(_CONN_CONTEXT.search(segment)) and (
        ";" in segment or "://" in segment[token_start:] or "?" in segment[token_start:])


# --------------------------------------------------------------------------- API

def _reason(kinds: tuple[str, ...]) -> str:
    if not kinds:
        return "No credentials or secrets were found."
    parts = [KINDS[k] for k in kinds]
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"This post appears to contain {what}; credentials and secrets must never be "
            "posted in the forum, so please remove them and send them only through a "
            "support ticket.")


def find_secrets(text: str) -> SecretFinding:
    """Look for credentials or secrets in ``text`` (policy 8.6).

    Scans the first ``MAX_SCAN_CHARS`` characters. The reason names what kind of secret
    was seen but never repeats it.
    """
    if not text:
        return SecretFinding(False, (), _reason(()))
    text = text[:MAX_SCAN_CHARS]
    found: set[str] = set()

    if _PRIVATE_KEY.search(text) or _PUTTY_KEY.search(text):
        found.add("private_key")
    if _tokens(text):
        found.add("token")
    if _license_keys(text):
        found.add("license_key")
    if _connection_string_hits(text):
        found.add("connection_string")
    for pos in _password_hits(text):
        found.add("connection_string" if _in_connection_string(text, pos) else "password")
    if _remote_access(text):
        found.add("remote_access")
        found.discard("password")  # the remote-access wording already names the password

    kinds = tuple(k for k in KINDS if k in found)
    return SecretFinding(bool(kinds), kinds, _reason(kinds))
