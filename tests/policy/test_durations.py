"""Durations in words: whole hours without '.0', plural only above one (issue 10)."""
from datetime import timedelta

import pytest

from portal.policy import format_hours


@pytest.mark.parametrize("delta, text", [
    (timedelta(hours=4), "4 business hours"), (timedelta(hours=1), "1 business hour"),
    (timedelta(hours=1, minutes=30), "1.5 business hours"), (timedelta(minutes=20), "0.33 business hours"),
    (timedelta(hours=40), "40 business hours"),
])
def test_format_hours(delta, text):
    assert format_hours(delta) == text
