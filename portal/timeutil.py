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


DAY_TIME = "%a %-d %b %Y %H:%M"  # 'Tue 18 Mar 2031 09:30': every page, mails, calendar files
DAY = "%a %-d %b %Y"  # 'Tue 18 Mar 2031': calendar dates (ETAs, license expiry), written the same way


def date_text(day):
    """A calendar date as pages write it, e.g. 'Tue 18 Mar 2031' ('' for None)."""
    if day is None:
        return ""
    return day.strftime(DAY.replace("%-d", str(day.day)))


def local_text(naive_utc, zone, zone_label, fmt=DAY_TIME):
    """A stored naive-UTC time as text in `zone`, e.g. 'Tue 18 Mar 2031 09:30 PT' ('' for None)."""
    if naive_utc is None:
        return ""
    local = aware(naive_utc).astimezone(zone)
    fmt = fmt.replace("%-d", str(local.day))  # no leading zero, without relying on glibc's %-d
    return f"{local.strftime(fmt)} {zone_label}"
