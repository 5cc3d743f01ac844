"""One wording each for a moment and a date (policy 1.5)."""
from datetime import date, datetime

import pytest

from portal.policy import date_text

from ._util import utc


def test_policy_1_5_a_moment_is_written_in_the_policy_zone(policy):
    assert policy.time_text(utc(2031, 3, 18, 16, 30)) == "Tue 18 Mar 2031 09:30 PT"  # PDT: UTC-7
    assert policy.time_text(utc(2031, 1, 7, 16, 30)) == "Tue 7 Jan 2031 08:30 PT"  # PST, no leading zero
    assert policy.time_text(None) == ""


def test_a_naive_moment_is_refused_not_guessed(policy):
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.time_text(datetime(2031, 3, 18, 16, 30))


def test_a_date_is_written_without_a_leading_zero():
    assert date_text(date(2031, 3, 8)) == "Sat 8 Mar 2031"
    assert date_text(None) == ""
