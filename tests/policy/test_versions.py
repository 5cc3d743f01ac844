"""Versions and what is supported (policy 7.1, 7.2)."""
from __future__ import annotations

import pytest

from portal.policy import Version, VersionError, parse_version

RELEASES = ["7.6.2.0", "8.0.0.1", "8.1.0.3", "8.0.2.0", "not-a-version"]


def test_policy_7_1_parse_four_numbers():
    v = parse_version("7.6.2.0")
    assert v == Version(7, 6, 2, 0) and str(v) == "7.6.2.0"
    assert parse_version(" 8.10.0.1 ") > parse_version("8.9.9.9")  # numeric, not text order


@pytest.mark.parametrize("bad", ["", "7.6.2", "7.6.2.0.1", "7.6.a.0", "-1.0.0.0", "7..2.0", "v7.6.2.0",
                                 "7.6.2.0 beta", "٧.6.2.0", None, 7.6])
def test_policy_7_1_anything_else_is_rejected(bad):
    with pytest.raises(VersionError, match=r"Version must look like 7\.6\.2\.0 \(Major\.Minor\.Subminor\.Patch\)"):
        parse_version(bad)


def test_policy_7_1_version_error_is_a_value_error():
    assert issubclass(VersionError, ValueError)


def test_policy_7_2_older_major_unsupported(policy):
    verdict = policy.judge_version("7.6.2.0", RELEASES)
    assert verdict.status == "unsupported"
    assert "7.x is no longer supported, update to 8.1.0.3" in verdict.message
    assert verdict.latest == Version(8, 1, 0, 3)


def test_policy_7_2_same_major_older_update_recommended(policy):
    verdict = policy.judge_version("8.0.2.0", RELEASES)
    assert verdict.status == "update_recommended"
    assert "update to 8.1.0.3 first" in verdict.message


def test_policy_7_2_current_and_newer(policy):
    assert policy.judge_version("8.1.0.3", RELEASES).status == "current"
    assert policy.judge_version("8.2.0.0", RELEASES).status == "newer_than_known"


def test_policy_7_2_no_releases_known(policy):
    verdict = policy.judge_version("8.1.0.3", [])
    assert verdict.status == "unknown" and verdict.message and verdict.latest is None


def test_policy_7_2_invalid_version_does_not_raise(policy):
    verdict = policy.judge_version("eight", RELEASES)
    assert verdict.status == "invalid"
    assert verdict.message.startswith("Version must look like 7.6.2.0")


@pytest.mark.parametrize("bad", ["1.2.3." + "9" * 4301, "8.1.0." + "1" * 4000, "1234567.0.0.1",
])
def test_policy_7_1_parts_are_short_numbers(bad):
    """Past int()'s 4,300 digits or a varchar(32) column a version is refused, with the hint."""
    with pytest.raises(VersionError, match="at most 6 digits each"):
        parse_version(bad)


def test_policy_7_1_the_longest_version_fits_its_column():
    longest = ".".join(["999999"] * 4)
    assert str(parse_version(longest)) == longest and len(longest) <= 32


def test_a_remembered_verdict_is_the_one_judged_afresh_and_other_values_are_judged_as_before():
    from portal.policy import versions
    releases = ["7.6.2.0", "7.5.0.0", "6.9.1.0", "not a version"]
    for text in ("7.6.2.0", "7.5.0.0", "6.0.0.0", "8.0.0.0", " 7.6.2.0 ", "7.6", None, ""):
        first = versions.judge_version(text, releases)
        assert first == versions._judge(text, tuple(releases))
        assert versions.judge_version(text, iter(releases)) is first  # remembered, whatever iterable
    assert versions.judge_version("7.6.2.0", (7, "7.6.2.0")).status == "current"  # a number: not remembered
    assert versions.judge_version(["7.6.2.0"], ["7.6.2.0"]).status == "invalid"  # unhashable: judged
