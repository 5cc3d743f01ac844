"""English-only support: flag non-English requests (policy 4.2)."""
from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.policy import language as language_module
from portal.policy.language import LanguageResult, clean_text, detect_language

ROOT = Path(__file__).resolve().parents[2]


def test_result_is_a_frozen_dataclass():  # policy 4.2
    result = detect_language("The Viewer cannot connect to the Host after the update.")
    assert isinstance(result, LanguageResult)
    assert result.is_english and result.language == "en"
    assert 0.0 <= result.confidence <= 1.0
    assert result.reason
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.is_english = False  # type: ignore[misc]


# --------------------------------------------------------------------------- English

ENGLISH = [
    "The Viewer cannot connect to the Host after I updated to 7.6.2.0. I get error "
    "0x80070005 and the log says:\n"
    "2024-03-12 09:14:22.104 [ERROR] Authentication failed for viewer 192.168.1.44\n"
    "2024-03-12 09:14:30.002 [INFO] Listening on port 5650\nAny ideas?",
    "RUT Server 3.2 on Windows Server 2019, Host 7.6.2.0, Viewer 7.5.1.0. Connection drops "
    "every 10 minutes.",
    "Here's the stack trace from the crash:\n"
    "System.UnauthorizedAccessException: Access to the path "
    "'C:\\ProgramData\\Remote Utilities\\Host\\config.xml' is denied.\n"
    "   at System.IO.FileStream.ValidateFileHandle(SafeFileHandle fileHandle)\n"
    "   at RU.Host.Settings.Load()\nWhat permissions does the Host service need?",
    "After deploying the Agent via GPO, rutagent.exe exits with code 3 on machines "
    "running Windows 11 23H2. See https://example.com/log.txt and C:\\Temp\\agent.log.",
    "Can I use the Agent without admin rights?",
    "Is the MSI configurator available for RUT Server?",
    "Same issue here, any update?",
    "Thanks, that fixed it!",
    "I can't connect via Internet-ID, direct connection works fine.",
    "MY HOST DOES NOT CONNECT PLEASE HELP ME",
    "Please contact me at jane.doe@example.com about license PRO-10 renewal for our "
    "office, we need the invoice.",
    "```\nFehler beim Verbinden mit dem Server\nconnexion refusée\n```\n"
    "The Host prints these messages in German and French, is the log localised?",
    "Our users see the message 'Der Zugriff wurde verweigert' in the Host log when the "
    "Viewer connects. What does it mean and how do we fix it?",
    "The installer says: 'Установка завершена' but nothing is installed. How can I check "
    "what went wrong?",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_technical_text_is_english(text):  # policy 4.2
    result = detect_language(text)
    assert result.is_english, result


@pytest.mark.parametrize("text", [
    "help", "bump", "Connection refused", "Host offline", "Viewer 7.6.2.0 x64",
    "Agent ID 123-456-789, black screen", "Viewer -> RUT Server -> Host: timeout (10060)",
    "2024-03-12 09:14:22 [ERROR] 0x80070005", "C:\\Program Files\\Remote Utilities\\Host",
    "", "   ", "12345", "https://www.remoteutilities.com/download/",
])
def test_too_little_text_gets_the_benefit_of_the_doubt(text):  # policy 4.2
    result = detect_language(text)
    assert result.is_english
    assert result.language in {"en", "und"}
    if result.language == "und":
        assert "benefit of the doubt" in result.reason


def test_short_text_reason_says_benefit_of_the_doubt():  # policy 4.2
    result = detect_language("Viewer 7.6.2.0 -> Host: 0x80070005")
    assert result == LanguageResult(True, "und", 0.0, result.reason)
    assert "benefit of the doubt" in result.reason


# --------------------------------------------------------------------------- not English

FOREIGN = {
    "es": "Hola, no puedo conectarme al Host desde el Viewer después de actualizar a la "
          "versión 7.6.2.0. Siempre aparece un error de autenticación. ¿Alguien sabe cómo "
          "solucionarlo?",
    "de": "Hallo, seit dem Update auf 7.6.2.0 kann ich mich nicht mehr mit dem Host "
          "verbinden. Der Viewer zeigt immer einen Authentifizierungsfehler an. Was kann "
          "ich tun?",
    "fr": "Bonjour, depuis la mise à jour, le Viewer ne parvient plus à se connecter à "
          "l'Host. Le message d'erreur indique que le mot de passe est incorrect. "
          "Pouvez-vous m'aider ?",
    "ru": "Здравствуйте! После обновления Viewer не может подключиться к Host. Пишет, что "
          "пароль неверный. Что делать?",
    "pt": "Olá, depois da atualização o Viewer não consegue se conectar ao Host. Aparece "
          "sempre uma mensagem de erro de senha. Alguém pode me ajudar?",
    "it": "Ciao, dopo l'aggiornamento il Viewer non riesce più a connettersi all'Host. "
          "Compare sempre un errore di autenticazione. Qualcuno può aiutarmi?",
    "zh": "你好，更新到7.6.2.0之后，Viewer无法连接到Host，一直提示密码错误。请问怎么解决？",
}


@pytest.mark.parametrize("lang", sorted(FOREIGN))
def test_foreign_paragraphs_are_not_english(lang):  # policy 4.2
    result = detect_language(FOREIGN[lang])
    assert not result.is_english, result
    assert result.language == lang
    assert result.confidence >= 0.5
    assert "English" in result.reason


@pytest.mark.parametrize("text, lang", [
    ("Log:\n2024-03-12 09:14:22.104 [ERROR] Authentication failed for viewer 192.168.1.44\n"
     "2024-03-12 09:14:30.002 [INFO] Listening on port 5650\n\n"
     "Hola, este es el log del Host. No entiendo por qué falla la autenticación si la "
     "contraseña es correcta.", "es"),
    ("Wenn ich den Viewer starte, kommt die Meldung Connection refused. Was kann ich tun?", "de"),
    ("Buenas tardes, tengo un problema con la licencia PRO, no se activa en el segundo equipo.",
     "es"),
    ("Impossible de se connecter depuis hier soir, le Host affiche hors ligne.", "fr"),
    ("NO PUEDO CONECTAR AL HOST DESDE AYER, AYUDA POR FAVOR", "es"),
    ("Hallo, na de update kan ik niet meer verbinden met de Host. Wat moet ik doen?", "nl"),
])
def test_foreign_text_with_logs_and_product_names(text, lang):  # policy 4.2
    result = detect_language(text)
    assert not result.is_english, result
    assert result.language == lang


# --------------------------------------------------------------------------- short & mixed

@pytest.mark.parametrize("text", [
    "Hola! The Host stopped working after the update, can you help? Gracias",
    "Hi, the Viewer shows 'Conexión rechazada' when I connect to the Host. What does it mean?",
    "Danke for the quick fix, the Viewer works now.",
])
def test_short_mixed_mostly_english_is_english(text):  # policy 4.2
    assert detect_language(text).is_english


@pytest.mark.parametrize("text", [
    "Hola, no puedo conectar",
    "Der Host startet nicht mehr",
    "не работает",
    "Lizenz wird nicht erkannt, bitte um Hilfe",
])
def test_short_mixed_mostly_foreign_is_not_english(text):  # policy 4.2
    assert not detect_language(text).is_english


def test_cleaning_drops_logs_paths_and_names():  # policy 4.2
    cleaned = clean_text(
        "The Remote Utilities Viewer fails on RUT Server:\n"
        "2024-03-12 09:14:22 [ERROR] auth failed\n"
        "see C:\\ProgramData\\Remote Utilities\\Host\\log.txt, https://x.example/a?b=c, "
        "0x80070005, v7.6.2.0, {6F9619FF-8B86-D011-B42D-00C04FC964FF}, me@example.com")
    for gone in ("Remote Utilities", "Viewer", "RUT", "2024", "ERROR", "ProgramData",
                 "https", "0x8007", "7.6", "6F9619FF", "example.com"):
        assert gone not in cleaned
    assert "fails on" in cleaned


def test_long_input_is_capped():  # policy 4.2
    text = "The Viewer cannot connect to the Host. " * 2000  # ~78 KB
    assert len(clean_text(text)) <= language_module.MAX_ANALYSED_CHARS
    assert detect_language(text).is_english
    foreign_after_cap = "x " * language_module.MAX_INPUT_CHARS + FOREIGN["de"]
    assert detect_language(foreign_after_cap).is_english  # beyond the cap: not analysed


# --------------------------------------------------------------------------- determinism

def test_deterministic_within_a_process():  # policy 4.2
    for text in [FOREIGN["pt"], ENGLISH[0], "Hola, no puedo conectar"]:
        first = detect_language(text)
        assert all(detect_language(text) == first for _ in range(10))


def test_deterministic_across_processes_and_hash_seeds():  # policy 4.2
    code = ("import sys; from portal.policy.language import detect_language as d; "
            "print([d(t) for t in sys.argv[1:]])")
    texts = [FOREIGN["it"], ENGLISH[1], "Hola! The Host stopped working, can you help? Gracias"]
    outputs = set()
    for seed in ("0", "1", "12345"):
        proc = subprocess.run(
            [sys.executable, "-c", code, *texts], cwd=ROOT, capture_output=True, text=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            check=True, timeout=120)
        outputs.add(proc.stdout)
    assert len(outputs) == 1
    assert repr([detect_language(t) for t in texts]) + "\n" in outputs


def test_model_is_loaded_lazily_and_cached(monkeypatch):  # policy 4.2
    monkeypatch.setattr(language_module, "_identifier", None)
    detect_language("help")  # too short: no model needed
    assert language_module._identifier is None
    detect_language(FOREIGN["fr"])
    first = language_module._identifier
    assert first is not None
    detect_language(FOREIGN["es"])
    assert language_module._identifier is first


def test_not_affected_by_global_py3langid_state():  # policy 4.2
    import py3langid

    before = detect_language(FOREIGN["de"])
    py3langid.set_languages(["en", "fr"])
    try:
        assert detect_language(FOREIGN["de"]) == before
    finally:
        py3langid.set_languages(None)


def test_pathological_input_is_handled():  # policy 4.2
    for text in ("a." * 8192, "C:\\" + "a b\\" * 4000, "```" * 5000, "x@" * 8192,
                 "/a" * 8192, "aB" * 8192, "1" * 16384, "<pre>" * 3000):
        assert isinstance(detect_language(text), LanguageResult)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_never_crashes_on_arbitrary_text(text):  # policy 4.2
    result = detect_language(text)
    assert 0.0 <= result.confidence <= 1.0
    assert result.language == "und" or len(result.language) == 2


def test_module_is_pure():  # the policy package imports no flask/peewee/portal
    tree = ast.parse(Path(language_module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add((node.module or "").split(".")[0])
    assert not imported & {"flask", "peewee", "portal"}
    assert imported <= {"__future__", "array", "re", "threading", "unicodedata", "dataclasses",
                        "py3langid"}
