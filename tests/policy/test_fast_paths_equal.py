"""The fast paths of detect_language (policy 4.2) and find_secrets (policy 8.5, 8.6) give the
same answers as the code before them, kept frozen in tests/policy/oracle.

The fast paths skip a pattern only when it cannot match (a literal it needs is absent, or,
for a case-insensitive pattern on pure-ASCII text, a word it needs is absent from the
lower-cased text) and leave the arithmetic of the language model untouched. So every
result must be equal field by field, and so must the intermediate results the gates sit
in front of (the cleaned text, the set of kinds per scan, the positions of password hits).
Inputs: every text of the labelled corpora, every string literal in the policy tests and
the bench seed, and hypothesis texts built from fragments that trigger each pattern, with
Unicode case-folding traps (Kelvin sign, long s, dotted/dotless i) and non-Latin scripts.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.policy import language as new_language
from portal.policy import secrets as new_secrets
from tests.policy.oracle import language as old_language
from tests.policy.oracle import secrets as old_secrets

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# The oracle classifies with the live module's identifier (one model in memory, not two):
# the fast path only reads it, through the same py3langid calls as before.
old_language._get_identifier = new_language._get_identifier


def _literals(path: Path) -> list[str]:
    """Every string constant of a Python file (test inputs and expectations alike)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _known_texts() -> list[str]:
    texts = []
    for corpus in sorted((HERE / "corpus").glob("*.jsonl")):
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    for path in sorted(HERE.glob("test_*.py")) + [ROOT / "bench" / "seed.py", ROOT / "bench" / "web.py"]:
        if path.name != Path(__file__).name:
            texts.extend(_literals(path))
    texts.append("bench-submit c1-17\nThe Viewer loses the connection to the Host every few minutes "
                 "since the update. The Host log shows a timeout on the relay; the network itself is stable.")
    return sorted(set(texts))


KNOWN = _known_texts()

# ------------------------------------------------------------------ comparison


def _language_fields(module, text):
    r = module.detect_language(text)
    return (r.is_english, r.language, r.confidence, r.reason)


def assert_language_equal(text):
    assert new_language.clean_text(text) == old_language.clean_text(text), text
    assert _language_fields(new_language, text) == _language_fields(old_language, text), text


def _secret_fields(module, text, **kw):
    r = module.find_secrets(text, **kw)
    return (r.found, r.kinds, r.reason)


def assert_secrets_equal(text):
    for kw in ({}, {"channel": "ticket"}, {"html": True}):
        assert _secret_fields(new_secrets, text, **kw) == _secret_fields(old_secrets, text, **kw), (text, kw)
    for variant in (text, old_secrets.flowed(text)):  # the gated internals, unnormalised text too
        assert new_secrets._scan(variant) == old_secrets._scan(variant), variant
        assert new_secrets._password_hits(variant) == old_secrets._password_hits(variant), variant
        assert new_secrets._tokens(variant) == old_secrets._tokens(variant), variant
        assert new_secrets._license_keys(variant) == old_secrets._license_keys(variant), variant
        assert new_secrets._remote_access(variant) == old_secrets._remote_access(variant), variant


@pytest.mark.parametrize("text", KNOWN, ids=range(len(KNOWN)))
def test_known_texts_detect_language_equal(text):  # policy 4.2
    assert_language_equal(text)


@pytest.mark.parametrize("text", KNOWN, ids=range(len(KNOWN)))
def test_known_texts_find_secrets_equal(text):  # policy 8.5, 8.6
    assert_secrets_equal(text)


# ------------------------------------------------------------------ generated texts

# Traps: characters that re.IGNORECASE folds to ASCII letters (Kelvin sign, long s, dotless
# i, dotted I), look-alikes, zero-width and format characters, other scripts and digits.
TRAPS = ["\u212a", "\u017f", "\u0131", "\u0130", "\u212b", "\u00b5", "\u03bc", "а", "о", "р", "е",
         "\u200b", "\u00ad", "\ufeff", "\u2011", "\u2212", "\uff10", "\u0661", "\u0967", "ß", "ẞ",
         "ﬀ", "ﬁ", "ǅ", "Ⓐ", "²", "½", "\u2028", "\x0b", "\x1c", "\u00a0", "\t", "\r\n", "\n"]

FRAGMENTS = [
    # language: code, logs, stack traces, URLs, e-mails, paths, registry, GUIDs, hex, names
    "```\ncode here\n```", "~~~\nraw\n~~~", "```unterminated", "`inline code`", "``", "<pre>x</pre>",
    "<code class=a>y</CODE>", "<b>bold</b>", "<a href='x'>", "2024-03-12 09:14:22.104", "09:14:22",
    "[ERROR] failed", "INFO started", "WARNING: low", "   at RU.Host.Settings.Load()",
    'File "x.py", line 3', "Traceback (most recent call last)", "#3  0x7ffd12", "System.IO.IOException: x",
    "$ ls -la", "> dir", "PS C:\\Users> ", "C:\\Temp> ", "https://example.com/log.txt", "WWW.example.org",
    "ftp://host/x", "www.example.org/a?b=c", "WWW.Example.ORG/x?y=1 now", "jane.doe@example.com", "a@b.c", "C:\\Program Files\\Remote Utilities\\Host",
    "\\\\srv\\share\\dir", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Usoris", "hklm\\x", "/var/log/rut.log",
    "~/x/y", "../up", "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", "0x80070005", "deadbeef12",
    "Remote Utilities", "remote-utilities host", "RUT Server", "rutserver", "Internet-ID",
    "wake on lan", "Power Shell", "Windows Server", "Host", "Viewer", "Agent", "TeamViewer", "macOS",
    "RU.Host.Settings", "rut_server", "ValidateFileHandle", "camelCase", "x64", "22H2", "MSI", "IDs",
    "MY HOST DOES NOT CONNECT", "Hola, no puedo conectar al servidor", "Der Zugriff wurde verweigert",
    "Здравствуйте! не работает", "你好，更新之后无法连接", "مرحبا لا يعمل", "こんにちは接続できません",
    "the", "and", "please help", "it's", "don't", "’", "¿Qué?", "¡Hola!", "    indented", "\tindented",
    "|---|---|", "1234 5678 9012", "the Host does not connect after the update",
    # secrets: passwords, keys, tokens, connection strings, command lines, IDs
    "password: Xy7!kq", "Password=Summer2024!", "pwd := hunter22", "PASS -> abc", "pass: admin",
    "my pass is hunter2", "the password 'BlueOcean'", "password is still Tr0ub4dor&3",
    "<password>s3cr3t</password>", "<adminpass>x</adminpass>", "Passwort: Geheim123",
    "mot de passe : azerty12", "contraseña: Clave123!", "contrasena=abc123", "senha: 1234abc",
    "пароль: qwerty123", "hasło: tajne123", "wachtwoord = Welkom01", "lösenord: Hemligt1",
    "salasana: Salainen1", "jelszó: Titok123", "şifre: Gizli123", "parola: segreta1",
    "SMTP_PASSWORD=Abc123!", "newPassword: Xy7!", "admin / Passw0rd!", "admin/Passw0rd!",
    "login: bob:S3cret!x", "username admin/Secr3t!", "creds: root:toor123", "net user bob P@ss123 /add",
    "net use X: \\\\srv\\share /user:DOM\\bob Secr3t!", "psexec -u admin -p P@ss1 cmd",
    "plink -ssh host -pw S3cret!", "sshpass -p 'hunter22' ssh x", "mysql -uroot -pS3cret",
    "curl -u bob:S3cret! https://x", "--user alice:pa55word", "ConvertTo-SecureString \"P@ss1!\" -AsPlainText",
    '<add key="AdminPassword" value="S3cret!"/>', "name='ApiKey' value='AbCdEf0123456789XyZ'",
    "ID 123 456 789 password 4711", "ID: 123-456-789 pw: Abc123", "Internet-ID 123456789 pass is 98765",
    "ABCDE-12345-FGHIJ-67890", "license key: AB12C-DE34F-GH56I", "serial ruviewer-9f3kq-22xlm-p7w0d",
    "activation code 7731-4482-9910-2365-0087", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx9f3kq22xlmP7w0d\n",
    "PuTTY-User-Key-File-2: ssh-rsa\nPrivate-Lines: 14\nAAAAB3NzaC1yc2EAAAADAQABAAAB",
    "AKIAIOSFODNN7EXAMPLE", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "glpat-abcdefghij0123456789", "xoxb-1234567890-abcdefghij", "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF1/abcdefghij0123456789",
    "sk_live_abcdefghij0123456789", "AIzaSyA1234567890abcdefghijklmnopqrstu", "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
    "hvs.abcdefghijklmnopqrstuvwxyz", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk",
    "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345678", "https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCD",
    "https://x.webhook.office.com/webhookb2/abcdefghij0123456789@x/IncomingWebhook/0123456789abcdef0123456789abcdef",
    "SG.abcdefghij0123456.abcdefghij0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    "pypi-AgEIcHlwaS5vcmcabcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
    "shpat_0123456789abcdef0123456789abcdef", "glptt-abcdefghij0123456789", "whsec_abcdefghij0123456789ABCDEF",
    "Bearer abcdefghij0123456789XYZ", "Token abc123def456ghi789jkl", "api_key = 'AbCdEf0123456789XyZ'",
    "client_secret: 9f8e7d6c5b4a3f2e1d0c", "client secret: 9f8e7d6c5b4a3f2e1d0cZZ", "pre-shared key: Vpn!Secret99",
    "psk = Abc123!xyz", "postgres://bob:S3cret!@db.example.com/x", "Server=db;User Id=sa;Password=S3cret!;",
    "bob:S3cret!x@10.0.0.1", "AccountKey=abcdefghij0123456789ABCDEFGH==", "?sv=2020&sig=abcdefghij0123456789ABCDEF%3D",
    "same password everywhere (Blue$ky77)", "I typed ChangeMe!2024 as the new password",
    "my password literally is 'password'", "I forgot my password", "the password field is greyed out",
    "password:", "password", "pass", "key=", "user:", "/u:", "-u", "-p", "-pw", "://", "@", "-", "=", ":",
    "paſsword: Xy7!kq", "\u212aey: AbCdEf0123456789XyZ", "PASSWORD\u212a: x", "pa\u017f\u017f: hunter22x!",
    "L\u0130CENSE KEY: AB12C-DE34F-GH56I", "l\u0131cense key AB12C-DE34F", "ѕѕhpass -p x", "раѕѕword: Xy7!kq",
    "pass\u200bword: Xy7!kq", "pass&#119;ord: Xy7!kq", "ＰＡＳＳＷＯＲＤ： Ｘｙ７！ｋｑ", "ID ١٢٣ ٤٥٦ ٧٨٩ pw 4711",
]

_pieces = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(TRAPS),
    st.text(min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:=/\\@<>`'\"!#$\n",
            min_size=1, max_size=20),
)
_separators = st.sampled_from([" ", "\n", "\n\n", "; ", ": ", " / ", "", "\t", ", "])


@st.composite
def ticket_texts(draw):
    parts = draw(st.lists(st.tuples(_pieces, _separators), max_size=14))
    return "".join(p + s for p, s in parts)


_SETTINGS = settings(max_examples=400, deadline=None,  # no time limit: the machine may be busy
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(ticket_texts())
def test_generated_texts_detect_language_equal(text):  # policy 4.2
    assert_language_equal(text)


@_SETTINGS
@given(ticket_texts())
def test_generated_texts_find_secrets_equal(text):  # policy 8.5, 8.6
    assert_secrets_equal(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_equal(text):  # policy 4.2, 8.5, 8.6
    assert_language_equal(text)
    assert_secrets_equal(text)


def test_fragments_pair_up_equal():  # policy 4.2, 8.5, 8.6: each fragment alone and with each trap
    for fragment in FRAGMENTS:
        assert_language_equal(fragment)
        assert_secrets_equal(fragment)
        for trap in TRAPS[:8]:
            assert_secrets_equal(fragment.replace("a", trap, 1) + " " + trap)
            assert_language_equal(trap + fragment)


def test_token_literals_line_up_with_patterns():  # policy 8.6: a gate per token pattern
    from portal.policy.secret_patterns import TOKEN_LITERALS, TOKEN_PATTERNS
    assert len(TOKEN_LITERALS) == len(TOKEN_PATTERNS)
    samples = [f for f in FRAGMENTS if any(p.search(f) for p in TOKEN_PATTERNS)]
    for pattern, literals in zip(TOKEN_PATTERNS, TOKEN_LITERALS):
        hits = [f for f in samples if pattern.search(f)]
        assert hits, pattern.pattern  # every pattern has a sample above
        assert all(any(s in f for s in literals) for f in hits), pattern.pattern
