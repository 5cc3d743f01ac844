"""Credential / secret detection for forum posts (policy 8.6, 8.5)."""
from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.policy import secrets as secrets_module
from portal.policy.secrets import KINDS, MAX_SCAN_CHARS, SecretFinding, find_secrets

CORPUS = Path(__file__).resolve().parent / "corpus" / "secrets.jsonl"


def kinds(text: str) -> tuple[str, ...]:
    return find_secrets(text).kinds


# --------------------------------------------------------------------------- API

def test_finding_is_a_frozen_dataclass():  # policy 8.6
    finding = find_secrets("password: Xy7!kq")
    assert isinstance(finding, SecretFinding)
    assert finding.found is True
    assert finding.kinds == ("password",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.found = False  # type: ignore[misc]


def test_clean_text_has_no_finding():  # policy 8.6
    finding = find_secrets("The Viewer cannot connect to the Host after the update.")
    assert finding == SecretFinding(False, (), finding.reason)
    assert finding.reason


@pytest.mark.parametrize("text", ["", " ", "\n\n"])
def test_empty_text(text):  # policy 8.6
    assert not find_secrets(text).found


def test_reason_names_the_kind_but_never_echoes_the_secret():  # policy 8.6
    secret = "Kx!92mPq_z"
    finding = find_secrets(f"Username is admin, password: {secret}. Please help.")
    assert finding.found
    assert "password" in finding.reason
    assert "ticket" in finding.reason
    assert secret not in finding.reason
    assert "Kx" not in finding.reason


def test_reason_lists_several_kinds():  # policy 8.6
    finding = find_secrets(
        "Key 7GH2K-9PQ4M-XC8TR-2LWB5-N6YDF and token ghp_7Hk2LmQ9xZ4vT8nR3pW6yB1cD5fG0jK2sA8e")
    assert finding.kinds == ("license_key", "token")
    assert "license key" in finding.reason and "access token" in finding.reason
    assert "7GH2K" not in finding.reason and "ghp_" not in finding.reason


def test_kinds_are_known_and_ordered():  # policy 8.6
    text = ("ID: 123-456-789, password: 4x7Kp2. postgres://u:Xk92!mQz@db:5432/x "
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t\n")
    found = kinds(text)
    assert set(found) <= set(KINDS)
    assert list(found) == [k for k in KINDS if k in found]
    assert {"remote_access", "connection_string", "private_key"} <= set(found)


# --------------------------------------------------------------------------- passwords

@pytest.mark.parametrize("text", [
    "password: hunter2",
    "Password: fjr83KLm2 -- the one I use everywhere",
    "pwd=Lk98aa!x in the msi config file",
    "my pass is Xy7!kq and the host keeps saying access denied",
    "login admin / Passw0rd! on the web console",
    "user: tester, password: Welcome123",
    "I set the Host password to Summer2024! and now it fails",
    "The password is 'trustno1'.",
    "I changed the password to 'M0nkey$Island' in the Host settings",
    "username 'support' with password 'Rem0teHelp!' for all hosts",
    "proxy user jdoe, password Autumn#21, still fails",
    "<password>Winter#2023</password> in the install config",
    "user=operator;pass=Op3rator!; in our deployment ini",
    "rutview.exe /id:10.0.0.5 /password:HostPass77 /connect",
    "SMTP_PASSWORD=Tx7$mK2pQ in the server env",
    "my host password: 0987poiu",
    "pass: admin",
    "Account: helpdesk@company.com / Helpdesk2024!",
])
def test_password_values_are_found(text):  # policy 8.6
    assert "password" in kinds(text)


@pytest.mark.parametrize("text", [
    "I forgot my password",
    "the password field is greyed out",
    "how do I reset the password for the host?",
    "password protection is enabled",
    "Enter the password: prompt appears",
    "it asks for a password every time",
    "Our password policy requires 12 characters, one digit and one symbol.",
    "set password to something strong",
    "The password is correct, I typed it a hundred times.",
    "The password is the same on all 30 hosts.",
    "Password: ******** is what the Viewer shows",
    "password=******** in the log line",
    "password: see ticket",
    "Password: (sent in ticket #4411)",
    "Password length is limited to 32 characters?",
    "Password is case-sensitive, right?",
    "Is the password hashed with PBKDF2 or SHA256?",
    "The Agent displays a 6-digit password that changes on each launch.",
    "Our GPO sets PasswordRequired=1 and PasswordMinLength=12 for the Host.",
    "settings.ini: allow_password=false; log_level=debug",
    "<auth mode=\"single\" password=\"\" />",
    "the host requires password: yes/no option is missing",
    "Passwords with a colon or semicolon break the command line deployment.",
    "Using pwd in PowerShell shows C:\\Windows\\system32",
    "Pass-through authentication via Kerberos is what we want.",
])
def test_talk_about_passwords_passes(text):  # policy 8.6
    assert not find_secrets(text).found, find_secrets(text)


# --------------------------------------------------------------------------- remote access

@pytest.mark.parametrize("text", [
    "ID: 123-456-789, password: 4x7Kp2",
    "Internet-ID 482 913 775 pass 5521",
    "my id is 391204558 and pass is sunny7",
    "Agent ID 774-209-118, one-time password 883214.",
    "Its ID is 667 201 384 and the password it shows is 5093.",
    "ID 551-930-408 pw Kitty2020",
    "Remote Utilities ID 118-920-447 with password 'BlueOcean'",
])
def test_id_with_password_is_remote_access(text):  # policy 8.5, 8.6
    assert "remote_access" in kinds(text)


@pytest.mark.parametrize("text", [
    "My Internet-ID is 123-456-789 and the Viewer says 'ID not found'.",
    "Host ID 774-209-118 shows as offline. I forgot the password too.",
    "Viewer asks for ID 482913775's password, I type it, and nothing happens.",
    "I sent you the ID and password in ticket #48211.",
    "ID 123-456-789: password prompt loops forever",
    "Phone support number +1 555 123 4567 doesn't answer.",
])
def test_id_without_password_passes(text):  # policy 8.5, 8.6
    assert not find_secrets(text).found


# --------------------------------------------------------------------------- license keys

@pytest.mark.parametrize("text", [
    "I entered my license key 7GH2K-9PQ4M-XC8TR-2LWB5-N6YDF but it shows Free.",
    "After entering 9VBN2-XK4QW-P7LMT-3RHS8 the program says license expired",
    "serial number: S1T3A-BCD42-EFG93-HIJ17-KLM88",
    "license key ABC12-DEF34-GHI56 please move it",
])
def test_license_keys_are_found(text):  # policy 8.6
    assert "license_key" in kinds(text)


@pytest.mark.parametrize("text", [
    "Where do I enter the license key?",
    "Placeholder in the docs: XXXXX-XXXXX-XXXXX-XXXXX",
    "product code {9A3E1B6F-2C4D-4E8A-B7F1-5D0C3A9E2B14}",
    "order number 7781-2290-1134, ticket RU-2024-00815",
    "CVE-2023-4863 and MAC 00-1A-2B-3C-4D-5E",
    "AB12C-DEF34 is our internal asset tag",
])
def test_license_lookalikes_pass(text):  # policy 8.6
    assert not find_secrets(text).found


# --------------------------------------------------------------------------- private keys

@pytest.mark.parametrize("header", [
    "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----",
])
def test_private_keys_are_found(header):  # policy 8.6
    text = f"Is this right?\n{header}\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t\n-----END-----"
    assert "private_key" in kinds(text)


def test_putty_private_key_is_found():  # policy 8.6
    text = ("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nPublic-Lines: 1\nAAAAB3Nza\n"
            "Private-Lines: 14\nAAABAQCOjhLq8xkP2vQ7mN3sT5uW9yB1cD4eF6gH8iJ0kL2m")
    assert "private_key" in kinds(text)


@pytest.mark.parametrize("text", [
    "Where do I put the private key for the RUT Server certificate?",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY----- is what the export button gives me.",
    "The file starts with -----BEGIN RSA PRIVATE KEY----- is that the right one?",
])
def test_key_talk_and_public_material_pass(text):  # policy 8.6
    assert "private_key" not in kinds(text)


# --------------------------------------------------------------------------- tokens

@pytest.mark.parametrize("text", [
    "keys are AKIA4QX7R2MZ8KLT3NWP for the bucket",
    "token ghp_7Hk2LmQ9xZ4vT8nR3pW6yB1cD5fG0jK2sA8e fails with 404",
    "bot uses xoxb-2048611373-5129871264-vQ8xT2LmK9pR4zW7nY3hB6cF",
    "JWT eyJhbGciOiJSUzI1NiJ9.eyJ1c2VyIjoiam9obiJ9.c2lnbmF0dXJlX2dvZXNfaGVyZQ",
    "api_key=9f4b2c7e1a8d3f6b0e5c2a9d7f1b4e8c in the settings",
    "secret=Zk8mP2qR7tX4vW9nL3yB6cF1hJ5sD0gA in the webhook config",
    "client_secret: 3b8Qz!Lk92Xm_Pv7Rt4Wn0Yc from Azure",
    "Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA9xQ7kLm3Rt is rejected",
    "curl -H \"X-API-Key: 5e8d2c9b7a1f4e6d3c0b9a8f7e2d1c4b\" https://rut.internal/api",
    "https://api.example.com/v1/hosts?access_token=a7F3kQ9mZ2xR8tL4vN6pW1yB5cJ0hD3s",
])
def test_tokens_are_found(text):  # policy 8.6
    assert "token" in kinds(text)


@pytest.mark.parametrize("text", [
    "Is there an API token for RUT Server?",
    "Header must look like 'Authorization: Bearer <token>'",
    "Authorization: Bearer [redacted]",
    "We store api_key=${RUT_API_KEY} in the environment file",
    "api_key: REPLACE_WITH_YOUR_KEY_1234",
    "Our scanner flagged 'secret=' in the config, but the value is empty.",
    "token refresh ok, expires_in=3600",
    "Commit 9f3e2a1b7c4d8e0f6a5b2c9d1e7f3a8b4c0d6e2f mentions a fix",
    "Session ID 8f14e45fceea167a5a36dedd4bea2543 appears in both logs",
    "SHA1: da39a3ee5e6b4b0d3255bfef95601890afd80709",
])
def test_token_talk_and_hashes_pass(text):  # policy 8.6
    assert not find_secrets(text).found


# --------------------------------------------------------------------------- connection strings

@pytest.mark.parametrize("text", [
    "postgres://rutlog:Xk92!mQz@db.internal:5432/remote_logs times out",
    "mysql://root:r00tpw@127.0.0.1:3306/rut",
    "redis://:Ks82hd9Lq@cache.local:6379/0",
    "Server=sql01;Database=RUTLogs;User Id=rut_svc;Password=Sq1!Serv3r;",
    "jdbc:postgresql://db.local:5432/rut?user=ruser&password=PgS3cret77",
    "proxy http://jsmith:Pr0xy2023@proxy.corp.com:8080",
])
def test_connection_strings_are_found(text):  # policy 8.6
    assert "connection_string" in kinds(text)


@pytest.mark.parametrize("text", [
    "The docs example uses postgres://user:password@localhost/db.",
    "Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;",
    "The proxy is http://proxy.corp.com:8080 without authentication.",
    "Mail me at john.smith@example.com",
])
def test_connection_string_lookalikes_pass(text):  # policy 8.6
    assert not find_secrets(text).found


# --------------------------------------------------------------------------- logs & numbers

@pytest.mark.parametrize("text", [
    "2024-03-12 09:14:23.551 [ERROR] Authentication failed for viewer 192.168.1.44: invalid password",
    "Viewer log: [Auth] password check failed (attempt 3/3). Error code 0x8007052E.",
    "Build 7.6.2.0 (x64), RUT Server 3.2.1.0, Windows build 20348.2340",
    "GUID 6F9619FF-8B86-D011-B42D-00C04FC964FF and MAC 3C:52:82:A1:9F:0D",
    "sha256 3f2a9c1b7e4d8f0a6b5c2e9d1f7a3b8c4e0d6f2a9b1c7e3d5f8a0b4c6e2d9f1a",
    "2024-06-01T08:15:02Z viewer[4412]: connect 192.168.10.5:5650 auth=password result=OK",
])
def test_logs_versions_and_ids_pass(text):  # policy 8.6
    assert not find_secrets(text).found


# --------------------------------------------------------------------------- size, determinism

def test_scans_the_whole_post_up_to_the_cap():  # policy 8.6
    filler = "The Viewer keeps disconnecting after a few minutes. " * 1000
    assert len(filler) < MAX_SCAN_CHARS
    assert find_secrets(filler + "password: Xy7!kq").found
    beyond = "x" * MAX_SCAN_CHARS + " password: Xy7!kq"
    assert not find_secrets(beyond).found  # past the cap: not scanned


def test_pathological_input_is_handled():  # policy 8.6
    for text in ("password " * 5000, "a" * 60000, "-" * 60000, "1-" * 30000,
                 "user: " * 8000, "-----BEGIN PRIVATE KEY-----" * 2000):
        assert isinstance(find_secrets(text), SecretFinding)


def test_deterministic():  # policy 8.6
    text = "ID 123-456-789 pass 5521, license 7GH2K-9PQ4M-XC8TR-2LWB5-N6YDF"
    first = find_secrets(text)
    assert all(find_secrets(text) == first for _ in range(20))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_never_crashes_on_arbitrary_text(text):  # policy 8.6
    finding = find_secrets(text)
    assert finding.found == bool(finding.kinds)
    assert set(finding.kinds) <= set(KINDS)


def test_module_is_pure():  # the policy package imports no flask/peewee/portal
    tree = ast.parse(Path(secrets_module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add((node.module or "").split(".")[0])
    assert not imported & {"flask", "peewee", "portal"}


# --------------------------------------------------------------------------- corpus

def _load_corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_corpus_shape():  # policy 8.6
    samples = _load_corpus()
    assert sum(s["secret"] for s in samples) >= 100
    assert sum(not s["secret"] for s in samples) >= 100
    for s in samples:
        assert set(s) == {"text", "secret", "kind"}
        if s["secret"]:
            assert s["kind"] in KINDS
    assert len({s["text"] for s in samples}) == len(samples), "duplicate samples"


def test_corpus_precision_and_recall():  # policy 8.6
    tp = fp = fn = tn = kind_ok = 0
    for s in _load_corpus():
        finding = find_secrets(s["text"])
        if s["secret"]:
            tp += finding.found
            fn += not finding.found
            kind_ok += finding.found and s["kind"] in finding.kinds
        else:
            fp += finding.found
            tn += not finding.found
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn)
    print(f"\nsecrets corpus: {tp + fn} positive / {fp + tn} negative; tp={tp} fp={fp} fn={fn} "
          f"tn={tn}; precision={precision:.3f} recall={recall:.3f} kind-match={kind_ok}/{tp}")
    assert precision >= 0.95
    assert recall >= 0.90
