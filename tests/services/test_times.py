"""One time column: aware UTC in Python, naive UTC in the database as the migrations made it."""
import datetime
from zoneinfo import ZoneInfo

import peewee
import pytest

from portal import db as database
from portal.db import DateTimeField, utcnow
from portal.models import ALL_MODELS, AuditLog
from portal.services import queue

UTC = datetime.timezone.utc
PACIFIC = ZoneInfo("America/Los_Angeles")
MOMENT = datetime.datetime(2031, 3, 18, 9, 30, 15, 250000, tzinfo=PACIFIC)  # 16:30:15.25 UTC


def test_every_time_column_is_the_portal_field():
    plain = [f"{m.__name__}.{f.name}" for m in ALL_MODELS for f in m._meta.sorted_fields
             if isinstance(f, peewee.DateTimeField) and not isinstance(f, DateTimeField)]
    assert plain == []


def test_utcnow_is_aware_utc():
    assert utcnow().tzinfo is UTC


def test_a_moment_in_any_zone_is_stored_as_naive_utc_and_read_back_aware(ctx):
    entry = AuditLog.create(action="test", created_at=MOMENT)
    assert entry.created_at.tzinfo is UTC and entry.created_at == MOMENT  # kept in UTC from the start
    raw = database.db.execute_sql("SELECT created_at FROM audit_log WHERE id = %s" % int(entry.id)).fetchone()[0]
    if database.is_sqlite():
        assert raw == "2031-03-18 16:30:15.250000"  # the text rows have always had
    else:
        assert raw == datetime.datetime(2031, 3, 18, 16, 30, 15, 250000)  # timestamp without time zone
    again = AuditLog.get_by_id(entry.id)
    assert again.created_at == MOMENT and again.created_at.tzinfo is UTC
    assert again.created_at.isoformat() == "2031-03-18T16:30:15.250000+00:00"


def test_a_row_written_before_reads_as_aware_utc(ctx):
    database.db.execute_sql("INSERT INTO audit_log (action, object_type, object_id, detail, created_at) "
                            "VALUES ('old', '', '', '', '2026-01-05 17:00:00')")
    assert AuditLog.get(AuditLog.action == "old").created_at == datetime.datetime(2026, 1, 5, 17, tzinfo=UTC)


def test_queries_compare_moments_whatever_their_zone(ctx):
    AuditLog.create(action="test", created_at=MOMENT)
    just_before = (MOMENT - datetime.timedelta(seconds=1)).astimezone(ZoneInfo("Asia/Tokyo"))
    assert AuditLog.select().where(AuditLog.created_at > just_before).count() == 1
    assert AuditLog.select().where(AuditLog.created_at > MOMENT).count() == 0


def test_a_naive_datetime_is_refused_not_guessed(ctx):
    with pytest.raises(ValueError, match="naive"):
        AuditLog(action="test", created_at=datetime.datetime(2031, 3, 18, 16, 30))
    with pytest.raises(ValueError, match="naive"):
        AuditLog.select().where(AuditLog.created_at > datetime.datetime(2031, 3, 18)).count()


def test_queue_cursor_keeps_its_times_in_utc():
    cursor = queue.Cursor("ticket", 2, MOMENT, MOMENT - datetime.timedelta(hours=1), 7)
    text = cursor.encode()
    assert text == "ticket~2~2031-03-18T16:30:15.250000Z~2031-03-18T15:30:15.250000Z~7"
    assert queue.parse_cursor(text) == cursor
    # a position written without the Z (before it was added) still reads as UTC
    assert queue.parse_cursor(text.replace("Z", "")) == cursor


def _read_the_long_way(value):
    """DateTimeField.python_value before its one-parse path for the column's own text (frozen copy)."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            value = peewee.DateTimeField.python_value(DateTimeField(), value)
    else:
        value = peewee.DateTimeField.python_value(DateTimeField(), value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


@pytest.mark.parametrize("text", [
    "2031-03-18 16:30:15", "2031-03-18 16:30:15.250000", "2031-03-18 16:30:15.25", "2031-03-18T16:30:15",
    "2031-03-18", "2031-03-18 16:30", "2031-03-18 16:30:15+02:00", "2031-03-18 16:30:15Z", "2031-03-18 16:30:15 ",
    "2031-03-18 16:30:1x", "2031-03-18 16:30:15.25000x", "2031-03-18 16:30:15,250000", "2031-13-18 16:30:15",
    "2031-03-18 24:30:15", "2031-03-18 16:30:15.250000+01:00", "+031-03-18 16:30:15", "2031-03-18 16:30:+5",
    "garbage", "", None, datetime.datetime(2031, 3, 18, 16, 30), MOMENT])
def test_a_stored_moment_reads_as_it_did_the_long_way(text):
    try:
        expected = _read_the_long_way(text)
    except ValueError as exc:
        expected = ("refused", str(exc))
    try:
        read = DateTimeField().python_value(text)
    except ValueError as exc:
        read = ("refused", str(exc))
    assert read == expected and type(read) is type(expected)
    if isinstance(read, datetime.datetime):
        assert read.tzinfo is UTC


def test_random_stored_moments_read_as_they_did_the_long_way():
    import random
    rng = random.Random(16)
    for _ in range(2000):
        moment = datetime.datetime(2000, 1, 1) + datetime.timedelta(microseconds=rng.randrange(10 ** 17))
        if rng.random() < 0.3:
            moment = moment.replace(microsecond=0)
        text = str(moment)  # the column's text: microseconds only when there are some
        assert DateTimeField().python_value(text) == _read_the_long_way(text), text
