"""Each person's time zone (an account setting): the IANA names offered and the change itself.
Session times are shown to each person in it, with Pacific time beside (policy 1.5)."""
import zoneinfo

from portal.db import write_tx
from portal.models import User
from portal.services.errors import FieldError

DEFAULT_ZONE = User.time_zone.default  # America/Los_Angeles, the policy's own zone
# the canonical region/city names (no 'US/Pacific' aliases or 'posix/' copies), plus UTC
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
TIME_ZONES = tuple(sorted(name for name in zoneinfo.available_timezones()
                          if name.split("/")[0] in REGIONS and "/" in name)) + ("UTC",)
UNKNOWN_ZONE = "Choose a time zone from the list, e.g. Europe/Berlin."


def check_zone(name):
    """The zone name when it is one of TIME_ZONES, else FieldError on `time_zone`."""
    if name not in TIME_ZONES:
        raise FieldError("time_zone", UNKNOWN_ZONE)
    return name


def set_time_zone(user, name):
    """Save the zone `user` reads times in."""
    name = check_zone(name)
    with write_tx():
        User.update(time_zone=name).where(User.id == user.id).execute()
    user.time_zone = name
    return user
