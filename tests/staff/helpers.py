"""Queue test helpers: past times and the rows of a queue page (factories: tests/factories.py)."""
import datetime

from portal.db import utcnow

UTC = datetime.timezone.utc


def at(days_ago=0, hours=0, minutes=0, seconds=0, micro=0):
    """An aware UTC time in the past."""
    return (utcnow() - datetime.timedelta(days=days_ago, hours=hours, minutes=minutes, seconds=seconds)
            ).replace(microsecond=micro)


def queue_rows(html):
    """The data-* attributes of every queue row in a page, in order."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "tr" and "data-request-id" in attrs:
                self.rows.append({k[5:]: v for k, v in attrs.items() if k.startswith("data-")})
    parser = Rows()
    parser.feed(html)
    return parser.rows


def why(client, key):
    """A queue row's "Why is this here?" as the page loads it when the row is opened (htmx)."""
    response = client.get(f"/staff/queue/why/{key}", headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)
