"""The policy file: defaults, PORTAL_POLICY_FILE, and one bad-file test per validation rule (policy 1.4)."""
from __future__ import annotations

import re
import tomllib
import sys
import types
from datetime import time

import pytest

from portal.policy import DEFAULT_PATH, LEVELS, Policy, PolicyError, load_policy, parse_policy

from ._util import policy_data

DEFAULT_TEXT = DEFAULT_PATH.read_text(encoding="utf-8")


def test_policy_1_4_default_loads_with_version():
    policy = load_policy()  # may honour PORTAL_POLICY_FILE; the default when unset
    assert isinstance(policy, Policy)
    default = load_policy(DEFAULT_PATH)
    assert default.version == "2026.1"
    assert default.clock.zone.key == "America/Los_Angeles"
    assert (default.clock.opens, default.clock.closes) == (time(8), time(17))
    assert default.clock.workdays == (0, 1, 2, 3, 4)
    assert default.clock.holidays == ()  # policy 1.5 Decision: empty by default
    assert default.at_risk_threshold == 0.25
    assert set(default.targets) == set(LEVELS)
    assert default.remote_levels == ("SITE", "PRO", "PLUS", "STARTER", "RESELLER")


def test_policy_1_4_env_var_points_at_another_file(tmp_path, monkeypatch):
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT.replace('version = "2026.1"', 'version = "2026.2-test"'), encoding="utf-8")
    monkeypatch.setenv("PORTAL_POLICY_FILE", str(path))
    assert load_policy().version == "2026.2-test"
    monkeypatch.delenv("PORTAL_POLICY_FILE")
    assert load_policy().version == "2026.1"


def test_policy_1_4_missing_file(tmp_path):
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")


def test_policy_1_4_not_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("version = \n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(path)


BAD = [
    # (replace this, with this, expected message start)
    ('version = "2026.1"', 'version = ""', "version: must be a non-empty string"),
    ('version = "2026.1"', "", "version: missing"),
    ('zone_label = "PT"', 'zone_label = "PT"\nbogus = 1', "bogus: unknown key"),
    ('time_zone = "America/Los_Angeles"', 'time_zone = "Pacific/Nowhere"', "time_zone: 'Pacific/Nowhere' is not a known"),
    ("at_risk_threshold = 0.25", "at_risk_threshold = 1.5", "at_risk_threshold: must be a number between 0 and 1"),
    ('open = "08:00"', 'open = "8am"', 'hours.open: must be a time "HH:MM"'),
    ('close = "17:00"', 'close = "07:00"', "hours.close: must be after hours.open"),
    ('days = ["Mon", "Tue", "Wed", "Thu", "Fri"]', 'days = ["Mon", "Funday"]', "hours.days[1]: 'Funday' is not one of"),
    ('days = ["Mon", "Tue", "Wed", "Thu", "Fri"]', "days = []", "hours.days: must be a non-empty list"),
    ('days = ["Mon", "Tue", "Wed", "Thu", "Fri"]', 'days = ["Mon", "Mon"]', "hours.days: lists a weekday twice"),
    ("holidays = []", 'holidays = ["2026-02-30"]', "hours.holidays[0]: must be an ISO date"),
    ("holidays = []", 'holidays = "2026-12-25"', "hours.holidays: must be a list"),
    ("PRO = 3\n", "PRO = 0\n", "targets.PRO: must be a positive number of hours"),
    ("PRO = 3\n", 'PRO = "3"\n', "targets.PRO: must be a positive number of hours"),
    ("PRO = 3\n", "PRO = true\n", "targets.PRO: must be a positive number of hours"),
    ("PRO = 3\n", "", "targets.PRO: missing"),
    ("PRO = 3\n", "PRO = 3\nGOLD = 1\n", "targets.GOLD: unknown key"),
    ("PRO = 2\n", "PRO = 12\n", "priorities.PRO: must be a whole number from 1 to 9"),
    ('RESELLER = ["ticket"]', 'RESELLER = ["ticket", "email"]', "channels.RESELLER: must be a list drawn from ticket, forum"),
    # policy 3.2: a rule, not a Decision: the forum cannot be opened to resellers by configuration
    ('RESELLER = ["ticket"]', 'RESELLER = ["ticket", "forum"]',
     "channels.RESELLER: resellers work only through tickets (policy 3.2)"),
    ('PRO = "Pro"', 'PRO = ""', "labels.PRO: must be a non-empty string"),
    ('levels = ["SITE", "PRO", "PLUS", "STARTER", "RESELLER"]', 'levels = ["GOLD"]', "remote.levels: must be a list of levels"),
    ("[remote]", "[remote]\nlevels2 = 1", "remote.levels2: unknown key"),
    ('reply = """\\\nHello,', 'answer = """\\\nHello,', "english_only.answer: unknown key"),
    ('code = "6.2"', 'code = "6.1"', "scope.out_of_scope[1].code: '6.1' appears twice"),
    ('title = "Antivirus problems"\n', "", "scope.out_of_scope[3].title: missing"),
    ("topics = [", "topics = []\nold_topics = [", "scope.old_topics: unknown key"),
    ('  "Logging new bugs",', '  "",', "scope.topics[4]: must be a non-empty string"),
]


@pytest.mark.parametrize("old, new, message", BAD, ids=[m.split(":")[0] + "-" + str(i) for i, (_, _, m) in enumerate(BAD)])
def test_policy_1_4_bad_file_names_key_and_reason(tmp_path, old, new, message):
    assert old in DEFAULT_TEXT, old
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).startswith(message), str(info.value)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_policy_1_4_table_expected():
    with pytest.raises(PolicyError, match="^hours: must be a table"):
        parse_policy(policy_data(hours=5))
    with pytest.raises(PolicyError, match="^scope: missing"):
        data = policy_data()
        del data["scope"]
        parse_policy(data)


def test_policy_4_2_detect_language_uses_the_detector(policy):
    spanish = "Hola, no puedo conectarme al equipo remoto desde ayer, ¿pueden ayudarme por favor?"
    assert policy.detect_language(spanish).is_english is False
    assert policy.detect_language("The Viewer cannot connect to the Host since yesterday.").is_english


def test_policy_4_2_decision_can_turn_the_english_check_off():
    data = tomllib.loads(DEFAULT_PATH.read_text()) | {"decisions": {"flag_non_english": False}}
    relaxed = parse_policy(data)
    result = relaxed.detect_language("Hola, no puedo conectarme al equipo remoto desde ayer, por favor.")
    assert result.is_english and "turned off" in result.reason


def test_policy_decisions_default_to_policy_md():
    decisions = parse_policy(tomllib.loads(DEFAULT_PATH.read_text())).decisions
    assert decisions.policy_acceptance == "each_version"  # policy 1.2
    assert decisions.suggest_similar_threads and decisions.reprioritise_on_upgrade  # 1.3, 2.2
    assert decisions.flag_non_english and decisions.recognise_only_verified  # 4.2, 4.5
    assert decisions.forum_secret_guard  # 8.6


@pytest.mark.parametrize("table, message", [
    ({"policy_acceptance": "sometimes"}, "decisions.policy_acceptance: must be one of"),
    ({"forum_secret_guard": "yes"}, "decisions.forum_secret_guard: must be true or false"),
    ({"be_nice": True}, "decisions.be_nice: unknown key"),
])
def test_policy_bad_decisions_name_the_key(table, message):
    data = tomllib.loads(DEFAULT_PATH.read_text()) | {"decisions": table}
    with pytest.raises(PolicyError, match=message):
        parse_policy(data)


def test_policy_8_6_find_secrets_delegates(policy, monkeypatch):
    fake = types.ModuleType("portal.policy.secrets")
    fake.find_secrets = lambda text, html, channel: ("secrets", text, html, channel)
    monkeypatch.setitem(sys.modules, "portal.policy.secrets", fake)
    assert policy.find_secrets("password: x") == ("secrets", "password: x", False, "forum")
    assert policy.find_secrets("<p>x</p>", html=True, channel="ticket") == ("secrets", "<p>x</p>", True, "ticket")


def test_policy_1_4_repr_names_version(policy):
    assert re.search(r"2026\.1", repr(policy))
