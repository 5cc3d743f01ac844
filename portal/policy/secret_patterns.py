"""The word lists, compiled patterns and value shapes behind portal.policy.secrets (policy 8.6).

Pure module: stdlib only. Every pattern is compiled once at import time with bounded
quantifiers (no catastrophic backtracking). The predicates here judge a single value
("is this a placeholder, a stopword, password-shaped, random?"); where values sit in a
text and which kind of secret they make is decided in ``secrets.py``.
"""
from __future__ import annotations

import math
import re
from collections import Counter


# --------------------------------------------------------------------------- values

# Words that follow "password:"/"password is" in ordinary talk: never a value.
STOPWORDS = frozenset(
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
PLACEHOLDER_CORE = frozenset(
    "password passwd pass pwd pw passphrase secret token key apikey value here "
    "changeme xxx xxxx xxxxx redacted hidden removed omitted masked example sample "
    "dummy placeholder foo bar foobar test".split()
)
PLACEHOLDER_PREFIX = re.compile(r"^(?:my|your|the|some|new|old|example|sample|dummy|db|user)[_-]?", re.I)
MASKED = re.compile(r"^[*\u2022\u25cf\u00b7xX#.?_-]+$")
TEMPLATE = re.compile(r"^(?:<.*>|\{.*\}|\[.*\]|\$\{.*|\$\(.*|%[\w]+%|\$[A-Za-z_]\w*|\{\{.*)$")
VERSION = re.compile(r"^v?\d+(?:\.\d+){1,3}[a-z]?$", re.I)
NUMERIC_SHAPE = re.compile(r"^[\d.:/ -]+$")  # IPs, dates, IDs, times: digits + separators
ACRONYM_DIGITS = re.compile(r"^(?:[A-Z]{1,7}\d{1,4}|\d{1,4}[A-Z]{1,4}|[xX](?:64|86)|[Ww]in\d+|IPv[46])$")
WORD_ALTERNATIVES = re.compile(r"^[A-Za-z]+(?:/[A-Za-z]+)+$")  # "yes/no", "and/or"
KEY_VALUE_LIKE = re.compile(r"^[A-Za-z_][\w-]*[=:]")
PW_SYMBOLS = set("!@#$%^&*+=?~|<>")

TRAILING = ".,;:!?)]}>'\"`\u2019\u201d"
QUOTES = {"'": "'", '"': '"', "`": "`", "\u2018": "\u2019", "\u201c": "\u201d"}


def strip_value(value: str) -> str:
    """The value without trailing punctuation."""
    return value.rstrip(TRAILING)


def is_placeholder(value: str) -> bool:
    """A stand-in people type instead of a real value: masked, a template, 'your-password', 'xxxx'."""
    low = value.lower()
    if not value or MASKED.match(value) or TEMPLATE.match(value):
        return True
    core = PLACEHOLDER_PREFIX.sub("", low).replace("_", "").replace("-", "")
    if core in PLACEHOLDER_CORE or low in PLACEHOLDER_CORE:
        return True
    return low.startswith(("your", "<", "{", "${", "%", "xxxx")) or bool(PLACEHOLDER_WORDS.search(low))


PLACEHOLDER_WORDS = re.compile(r"your|replace|placeholder|insert|example|redacted|xxxxx|\.\.\.")


def is_stopword(value: str) -> bool:
    """An ordinary word that follows 'password is' in talk, never a value."""
    return value.lower() in STOPWORDS


def char_classes(value: str) -> tuple[bool, bool, bool, bool, bool]:
    """(lower, upper, digit, symbol, any letter) present in the value."""
    has_lower = any(c.islower() for c in value)
    has_upper = any(c.isupper() for c in value)
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(c in PW_SYMBOLS for c in value)
    return has_lower, has_upper, has_digit, has_symbol, has_lower or has_upper


def is_strong(value: str) -> bool:
    """A string that reads as a password, not as a word: letters with digits or symbols,
    or a long run of digits (a PIN / one-time password)."""
    if len(value) < 4 or len(value) > 128:
        return False
    if (is_placeholder(value) or VERSION.match(value) or ACRONYM_DIGITS.match(value)
            or WORD_ALTERNATIVES.match(value) or KEY_VALUE_LIKE.match(value)
            or "://" in value or value.startswith(("/", "\\", "(", "-"))):
        return False
    if value.isdigit():
        return len(value) >= 6
    if NUMERIC_SHAPE.match(value):
        return False
    _lower, _upper, digit, symbol, letters = char_classes(value)
    return letters and (digit or symbol)


def is_mixed_case_word(value: str) -> bool:
    """'BlueOcean', 'PaSsWoRd': an upper-case letter after the first, plus lower case."""
    return (value.isalpha() and any(c.isupper() for c in value[1:])
            and any(c.islower() for c in value) and not value.isupper())


_OPENING = "([{'\"`\u2018\u201c"
_EMPHASIS = "*_~"  # Markdown emphasis: "**Remember password**" is a word in bold, not a symbol


def bare_word(word: str) -> str:
    """A word without the brackets, quotes, punctuation and emphasis marks around it."""
    while True:
        bare = word.lstrip(_OPENING + _EMPHASIS).rstrip(TRAILING + _EMPHASIS)
        if bare == word:
            return word
        word = bare


def read_value(text: str, pos: int) -> tuple[str, bool, int]:
    """The value starting at ``pos``: (value, was_quoted, end). Quoted values run to the
    closing quote on the same line; bare ones to the next blank or delimiter."""
    if pos < len(text) and text[pos] in QUOTES:
        close = QUOTES[text[pos]]
        end = text.find(close, pos + 1, pos + 130)
        nl = text.find("\n", pos + 1, pos + 130)
        if end != -1 and (nl == -1 or end < nl):
            return text[pos + 1:end], True, end + 1
        pos += 1
    m = BARE_VALUE.match(text, pos)
    if not m:
        return "", False, pos
    return strip_value(m.group(0)), False, m.end()


BARE_VALUE = re.compile(r"[^\s;,'\"<>]{1,128}")


def clause_ends(text: str, end: int) -> bool:
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
PW_KEY_INTL = (r"(?:passwort|kennwort|mot[ \t]+de[ \t]+passe|contrase(?:ña|na)|contrasenya|senha|"
                r"parol|пароль|hasło|haslo|wachtwoord|lösenord|losenord|passord|adgangskode|"
                r"salasana|jelszó|jelszo|heslo|lozinka|şifre|sifre|parola)(?!\w)")
PW_KEY = r"(?:" + PW_KEY_INTL + r"|password|passwd|passphrase|passcode|pass|pwd|pw)"
# The unambiguous subset (no "pass"): used where a value is judged by its shape alone.
PW_WORD = r"(?:" + PW_KEY_INTL + r"|password|passwd|passphrase|passcode|pwd|pw)"
# identifiers ending in a password word: SMTP_PASSWORD, db-pass, adminpwd, newPassword
PW_IDENT_PREFIX = (r"(?:(?:[A-Za-z0-9]{1,24}[_.-]){0,4}"
                    r"(?:admin|root|db|host|master|user|smtp|ftp|vnc|proxy|new|old|my|sql|mail|login)?)")

# password: value / password=value / pwd := value / /password:value / --password=value
PW_ASSIGN = re.compile(
    r"(?<![A-Za-z0-9])" + PW_IDENT_PREFIX + PW_KEY + r"(?![A-Za-z0-9])"
    r"[ \t]*(?::=|=>|->|[:=])[ \t]*",
    re.I,
)
# <password>value</password>
PW_XML = re.compile(r"<(\w{0,20}pass(?:word|wd)?\w{0,10})>([^<\n]{1,128})</\1>", re.I)
# password <value>, "the password hunter2", "password 'BlueOcean'"
PW_BARE = re.compile(r"(?<![A-Za-z0-9_/\\-])" + PW_KEY + r"(?![A-Za-z0-9_:=-])[ \t]+", re.I)
# password ... is/was/to/as/: <value> within a short window
PW_WINDOW = re.compile(r"(?<![A-Za-z0-9_])" + PW_KEY + r"(?![A-Za-z0-9_])", re.I)
CONNECTOR = re.compile(
    r"(?:\b(?:is|was|are|to|as)\b(?:[ \t]+(?:still|now|just|currently|simply|literally|set[ \t]+to))?"
    r"|[:=])[ \t]+",
    re.I,
)
# login admin / Passw0rd!   user: x, pass...   Account: a@b.c / Secret1!
LOGIN_CTX = re.compile(r"\b(?:log-?in|user(?:name)?|account|creds|credentials|admin)\b", re.I)
SLASH_PAIR = re.compile(r"([^\s/]{2,64})[ \t]+/[ \t]+(\S{4,64})")
COLON_PAIR = re.compile(
    r"\b(?:log-?in|user(?:name)?|creds|credentials)\b[ \t:=]{1,3}([\w.@-]{2,40})[:/]([^\s/:]{4,64})", re.I)

# Remote Utilities Internet-ID: 9 digits, optionally grouped 3-3-3
RU_ID = re.compile(r"(?<![\d.:/-])\d{3}([ -]?)\d{3}\1\d{3}(?![\d.:/-])")

# XXXXX-XXXXX-XXXXX-XXXXX style license / product keys
LICENSE_KEY = re.compile(r"(?<![A-Za-z0-9-])[A-Z0-9]{4,8}(?:-[A-Z0-9]{4,8}){2,7}(?![A-Za-z0-9-])")
LICENSE_CTX = re.compile(r"\b(?:license|licence|key|serial|activation|registration|product)\b", re.I)
# Looser shapes accepted only right after a license word: lower case or mixed groups of
# any length ("ruviewer-9f3kq-22xlm-p7w0d", "RU-ENT-2024-7F3K9Q2MXP4L") and all-digit
# activation codes of four or more groups ("7731-4482-9910-2365-0087").
LICENSE_LOOSE = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]{2,16}(?:-[A-Za-z0-9]{2,16}){2,7}(?![A-Za-z0-9-])")
LICENSE_DIGITS = re.compile(r"(?<![\d-])\d{4,6}(?:-\d{4,6}){3,7}(?![\d-])")
LICENSE_CTX_NEAR = re.compile(
    r"\b(?:license|licence|serial|activation|registration|product|cd)[ \t-]*(?:key|code|number|no\.?|#)?"
    r"|\bkey\b", re.I)

PRIVATE_KEY = re.compile(
    r"-----BEGIN[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----\s*"
    r"(?:[A-Za-z-]{1,30}:[^\n]{0,200}\n\s*){0,6}[A-Za-z0-9+/=]{24,}"
)
PUTTY_KEY = re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]{0,3000}?Private-Lines:\s*\d+\s+[A-Za-z0-9+/=]{24,}")

TOKEN_PATTERNS = tuple(re.compile(p) for p in (
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
# Per pattern above, in the same order: literals (case-sensitive, like the patterns) one of
# which every match holds; secrets.py searches a pattern only when one is in the text (speed
# only: skipping a pattern that cannot match changes nothing).
TOKEN_LITERALS = (
    ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ("github_pat_",),
    ("glpat-",),
    ("xox",),
    ("https://hooks.slack.com/services/T",),
    ("k_live_", "k_test_"),
    ("AIza",),
    ("sk-",),
    ("hvs.", "hvb.", "hvr."),
    (".eyJ",),
    (":",),
    ("/api/webhooks/",),
    (".webhook.office.com/webhookb2/",),
    ("SG.",),
    ("npm_",),
    ("pypi-AgEIcHlwaS5vcmc",),
    ("shpat_", "shpca_", "shppa_", "shpss_"),
    ("glptt-", "gldt-", "glrt-"),
    ("whsec_",),
)
assert len(TOKEN_LITERALS) == len(TOKEN_PATTERNS)
BEARER = re.compile(r"\b(?:Bearer|Token)[ \t]+([A-Za-z0-9._~+/=-]{20,512})")
SECRET_ASSIGN = re.compile(
    r"(?<![A-Za-z0-9])\$?(?:[A-Za-z0-9]{1,24}[_.-]){0,4}"
    r"(?:api[_-]?key|apikey|api[_-]?secret|api[_-]?token|secret(?:[_-]?(?:access[_-]?)?key)?|"
    r"client[_-]?secret|(?:access|auth|refresh|bot|bearer|private|session|personal)[_-]?token|token|"
    r"access[_-]?key(?:[_-]?id)?)"
    r"(?![A-Za-z0-9])['\"]?[ \t]*(?::=|=>|[:=])[ \t]*['\"]?([A-Za-z0-9_\-./+=!]{16,512})",
    re.I,
)

# Secrets named in prose, with spaces: "client secret: ...", "API key: ...", "pre-shared
# key: ...". Group 1 is set for the shared secrets that work like passwords (VPN, RADIUS).
SECRET_PHRASE = re.compile(
    r"(?<![A-Za-z0-9])(?:((?:pre-?)?shared[ \t]+(?:secret|key)|psk)|"
    r"(?:client|app(?:lication)?|api|webhook|signing)[ \t]+secret|(?:api|access|secret)[ \t]+key)"
    r"(?![A-Za-z0-9])[ \t]*[:=][ \t]*",
    re.I,
)

# user:pass@host without a scheme (ssh/scp style); only with a password-like value
USERINFO = re.compile(
    r"(?<![\w:/.@-])[A-Za-z_][\w.-]{0,30}:([^\s:@/]{4,64})@(?:\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)+)")
CONN_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://([^\s:/@]{0,64}):([^\s@/]{1,128})@[\w.-]{1,253}")
CONN_CONTEXT = re.compile(
    r"(?:://|\b(?:server|data source|database|initial catalog|host|uid|user id|dsn)\s*=)", re.I)


# Azure storage / Service Bus keys and SAS signatures inside a connection string or URL
ACCOUNT_KEY = re.compile(
    r"(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey|SharedSecret)[ \t]*=[ \t]*([A-Za-z0-9+/]{20,200}={0,2})", re.I)
SAS_SIG = re.compile(r"[?&;]sig=([A-Za-z0-9%+/=]{20,200})")

# ---- command lines that carry a password (policy 8.6)
# net user NAME PASS [/add]
NET_USER = re.compile(r"\bnet(?:\.exe)?[ \t]+user[ \t]+(?:\"[^\"\n]{1,40}\"|[^\s\"/]{1,40})[ \t]+", re.I)
# net use X: \\srv\share /user:DOMAIN\name PASS
NET_USE_USER = re.compile(r"(?<![\w/])/u(?:ser)?:(?:\"[^\"\n]{1,60}\"|\S{1,60})[ \t]+", re.I)
# psexec / plink / many CLIs: -u NAME -p PASS (also -pw for plink)
DASH_U_P = re.compile(r"(?<!\S)-u[ \t]+\S{1,64}[ \t]+-pw?[ \t]+")
PLINK_PW = re.compile(r"\b(?:plink|pscp|psftp)(?:\.exe)?\b[^\n]{0,160}?(?<!\S)-pw[ \t]+", re.I)
SSHPASS = re.compile(r"\bsshpass[ \t]+-p[ \t]*")
# mysql -uroot -pS3cret (no blank after -p: the value is the password)
MYSQL_P = re.compile(r"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)(?:\.exe)?\b[^\n|;&]{0,160}?(?<!\S)-p(?=[^\s-])")
# curl -u user:pass / --user user:pass (also wget --http-password handled by PW_ASSIGN)
USER_COLON = re.compile(r"(?<!\S)(?:-u|--user)[ \t]+['\"]?([^\s:'\"]{1,64}):([^\s'\"]{1,128})")
# $pw = ConvertTo-SecureString "literal" -AsPlainText -Force
SECURE_STRING = re.compile(r"\bConvertTo-SecureString[ \t]+(?:-String[ \t]+)?(?=['\"])", re.I)

# <add key="RuAdminPassword" value="..."/>, name="SmtpPwd" value="..."
KEYED_VALUE = re.compile(
    r"\b(?:key|name)[ \t]*=[ \t]*([\"'])([\w.:-]{0,40}?(" + PW_KEY + r"|secret|token|api[_-]?key|apikey))\1"
    r"[ \t]+value[ \t]*=[ \t]*(?=['\"])",
    re.I,
)

# admin/Passw0rd!, Administrator/Rem0teU! : user/password pair without blanks
TIGHT_PAIR = re.compile(r"(?<![\w/\\.:@%&=?#-])([A-Za-z][\w.@-]{1,40})/([^\s/]{4,64})")
ADMIN_NAMES = frozenset(
    "admin administrator root sa user guest support operator helpdesk service superuser "
    "sysadmin manager owner tech".split())
PAIR_CTX = re.compile(
    r"\b(?:log-?in|logon|sign-?in|user(?:name)?|account|creds|credentials|combos?|combinations?|"
    r"let[ \t]+me[ \t]+in|tried)\b", re.I)

# a password word, for the "password-shaped value nearby" rule
PW_NEAR = re.compile(r"(?<![A-Za-z0-9_])" + PW_WORD + r"(?![A-Za-z0-9_])", re.I)
POSSESSIVE_BEFORE = re.compile(r"\b(?:my|our)[ \t]+(?:[A-Za-z-]{1,20}[ \t]+)?$", re.I)
WORD = re.compile(r"\S{1,200}")
HEXLIKE = re.compile(r"^(?:0x)?[0-9A-Fa-f]+$|^0x", re.I)
EMAIL = re.compile(r"^[^@\s]+@[\w-]+(?:\.[\w-]+)+$")
DOTTED_NAME = re.compile(r"\.(?:[a-z]{2,4}|local|corp|internal|exe|dll|msi|log|ini|xml|json|txt)$", re.I)
PRODUCT_NAME = re.compile(r"^[A-Z][a-z]+[-_.]?\d{1,3}$")  # Windows10, Office365, Server-2
KEY_CHORD = re.compile(r"^[A-Za-z0-9]{1,6}(?:\+[A-Za-z0-9]{1,6})+$")  # Ctrl+Alt+Del


def is_password_shaped(value: str) -> bool:
    """A token that reads as a password on its own: 8-64 characters mixing at least three
    of lower case, upper case, digits and symbols; not a path, URL, switch, hex number,
    hash, GUID, version, e-mail, host or file name, or key=value."""
    if not 8 <= len(value) <= 64:
        return False
    if (any(c in value for c in "/\\:=,;()[]{}<>\"'`") or value.startswith(("-", "$", "%", "&"))
            or HEXLIKE.match(value) or VERSION.match(value) or EMAIL.match(value)
            or DOTTED_NAME.search(value) or PRODUCT_NAME.match(value) or KEY_CHORD.match(value)
            or is_placeholder(value)):
        return False
    lower, upper, digit, symbol, _letters = char_classes(value)  # "-_." are no symbols here
    if not (lower or upper):
        return False
    return lower + upper + digit + symbol >= 3


def entropy(value: str) -> float:
    """Shannon entropy per character, in bits."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(value: str) -> bool:
    """High-entropy token: letters with digits (or mixed case when long), entropy >= 3."""
    value = value.strip("'\"")
    if len(value) < 16 or is_placeholder(value) or VERSION.match(value):
        return False
    lower, upper, digit, _symbol, _letters = char_classes(value)
    if not ((lower or upper) and digit) and not (lower and upper and len(value) >= 20):
        return False
    return entropy(value) >= 3.0


# the separator between a Remote Utilities ID's password word and its value
ID_PW_SEP = re.compile(r"[ \t]*(?:(?:is|was)\b|[:=-])?[ \t]*", re.I)
