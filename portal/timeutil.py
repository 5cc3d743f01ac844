"""Conversions between stored naive-UTC times and aware datetimes."""
import datetime

UTC = datetime.timezone.utc


def aware(naive_utc):
    """A stored naive-UTC datetime as an aware one (None stays None)."""
    if naive_utc is None:
        return None
    if naive_utc.tzinfo is not None:
        return naive_utc.astimezone(UTC)
    return naive_utc.replace(tzinfo=UTC)


def stored(dt):
    """An aware datetime as the naive UTC the database keeps."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return dt.astimezone(UTC).replace(tzinfo=None)


def now():
    """The current time, aware, in UTC."""
    return datetime.datetime.now(UTC)
