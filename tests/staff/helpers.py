"""Factories for queue tests: tickets and threads ranked the way the services rank them."""
import datetime

from portal import timeutil
from portal.models import Category, Message, Post, Thread, Ticket
from portal.services import get_policy

UTC = datetime.timezone.utc


def _times(opened, due, level, channel):
    policy = get_policy()
    opened = opened or timeutil.now()
    due = due or policy.first_response_due(opened, level)
    return policy.rank_band(channel, level), timeutil.stored(opened), timeutil.stored(due)


def make_ticket(requester, level=None, opened=None, due=None, body="It does not connect after the update.",
                **overrides):
    """An open ticket awaiting staff, with its first message (policy bands and due time)."""
    level = level or requester.level
    band, opened_at, due_at = _times(opened, due, level, "ticket")
    values = dict(requester=requester, product="Remote Utilities", version="7.6.2.0",
                  version_status="current", subject="Viewer cannot connect", level=level, rank_band=band,
                  opened_at=opened_at, due_at=due_at, policy_version=get_policy().version,
                  updated_at=opened_at)
    values.update(overrides)
    ticket = Ticket.create(**values)
    Message.create(ticket=ticket, author=requester, body=body, created_at=opened_at)
    return ticket


def category():
    """The test forum category."""
    cat, _ = Category.get_or_create(slug="help", defaults={"name": "Help"})
    return cat


def make_thread(author, level=None, opened=None, due=None, body="How do I set up the viewer on macOS?",
                **overrides):
    """A forum thread awaiting a staff answer, with its first post."""
    level = level or author.level
    band, created_at, due_at = _times(opened, due, level, "forum")
    values = dict(category=category(), author=author, title="Viewer setup question",
                  product="Remote Utilities", created_at=created_at, last_post_at=created_at,
                  level=level, rank_band=band, due_at=due_at)
    values.update(overrides)
    thread = Thread.create(**values)
    Post.create(thread=thread, author=author, body=body, created_at=created_at)
    return thread


def at(days_ago=0, hours=0, minutes=0, seconds=0, micro=0):
    """An aware UTC time in the past."""
    return (timeutil.now() - datetime.timedelta(days=days_ago, hours=hours, minutes=minutes, seconds=seconds)
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
