"""Absolute links, for mails, calendar files and forum posts that leave the request.

They all start at the BASE_URL setting, never at a request's Host header, which a forged
request could set to put its own address into a mailed link (see `portal.config._base_url`).
`ticket_path` is the customer's ticket page (`tickets.detail`; tests/services/test_links.py
holds the two together).
"""
from urllib.parse import urlsplit

from portal.services.runtime import current


def base_url() -> str:
    """The configured BASE_URL without a trailing slash."""
    base = (current().setting("BASE_URL") or "").rstrip("/")
    if not base:
        raise RuntimeError("BASE_URL is not set: absolute links need it")
    return base


def absolute(path: str) -> str:
    """`path` (an absolute path, e.g. from url_for) on the portal's public address."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on this site: {path!r}")
    return base_url() + path


def host() -> str:
    """The host name of the public address (calendar UIDs are unique under it)."""
    return urlsplit(base_url()).hostname


def ticket_path(ticket_id) -> str:
    return f"/tickets/{int(ticket_id)}"


def ticket_url(ticket) -> str:
    """The absolute link a customer follows to their ticket."""
    return absolute(ticket_path(ticket.id))
