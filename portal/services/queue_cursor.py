"""The queue's position: the ORDER BY columns of a page's last row, in a URL (portal/services/queue.py)."""
import datetime
import functools
import re
from dataclasses import dataclass

from portal.db import UTC
from portal.services.errors import FieldError

BAD_CURSOR = "This queue position is not valid; start from the top."
_CURSOR = re.compile(r"^(ticket|forum)~(\d{1,3})~([0-9T:.\-]{19,26})Z?~([0-9T:.\-]{19,26})Z?~(\d{1,12})$")


@dataclass(frozen=True)
class Cursor:
    """The queue position of the last row of a page: the ORDER BY columns of that row."""
    channel: str
    band: int
    due_at: datetime.datetime
    opened_at: datetime.datetime
    id: int

    def encode(self):
        """The cursor as a URL-safe string, its times in UTC (2026-03-10T16:30:00Z)."""
        return "~".join((self.channel, str(self.band), _stamp(self.due_at), _stamp(self.opened_at), str(self.id)))


def _stamp(moment):
    """A moment as UTC ISO text ending in Z, the cursor's own form (no '+' to escape in a URL)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_cursor(text):
    """A Cursor from its URL form, None for none; FieldError when it is malformed."""
    return _parse_cursor(text) if text else None


# a pure function of the text: a page and the form's check read the same one on every load of a
# next page (a malformed one raises, which is not kept)
@functools.lru_cache(maxsize=1024)
def _parse_cursor(text):
    match = _CURSOR.match(text)
    try:
        if not match:
            raise ValueError(text)
        channel, band, due, opened, ident = match.groups()
        # a cursor's times are UTC (a position written without the Z, too)
        return Cursor(channel, int(band), datetime.datetime.fromisoformat(due + "+00:00"),
                      datetime.datetime.fromisoformat(opened + "+00:00"), int(ident))
    except ValueError:
        raise FieldError("after", BAD_CURSOR) from None
