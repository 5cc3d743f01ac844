"""What the use cases need from their surroundings, handed to them explicitly.

The app factory builds one `Runtime` per app (policy, settings, a mail sender) and makes it
current whenever one of its app contexts is active; a script or a test without Flask makes
one current with `using(runtime)`. Services read `current()` and import nothing from Flask
(tests/test_layout.py parses them to hold that).
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass
class Runtime:
    """The policy, the settings services read, and how mail leaves
    (`send_template(to, name, attachments=(), **ctx)`; attachments are (filename, content type, bytes);
    `mail_html(subject, text)`, the HTML part the sender adds to a queued mail; `mail_noticed()`, told
    when a notification the sender writes was recorded: mail_notices.later)."""

    policy: Any
    settings: Mapping[str, Any]
    send_template: Callable[..., None] = lambda to, template, attachments=(), kind=None, auto=True, headers=None, **context: None
    mail_html: Callable[[str, str], str] = lambda subject, text: ""  # a mail's HTML part from its text
    mail_noticed: Callable[[], None] = lambda: None  # a notice the sender will write was recorded
    state: dict = field(default_factory=dict)  # per-app memo (e.g. canned replies seeded)

    def setting(self, name, default=None):
        return self.settings.get(name, default)


_current: contextvars.ContextVar[Runtime | None] = contextvars.ContextVar("portal_runtime", default=None)


def current() -> Runtime:
    """The runtime of the app (or script) in whose context this runs."""
    runtime = _current.get()
    if runtime is None:
        raise RuntimeError("no portal runtime: run inside an app context or `with runtime.using(...)`")
    return runtime


def activate(runtime: Runtime):
    """Make `runtime` current; returns the token that `deactivate` takes."""
    return _current.set(runtime)


def deactivate(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def using(runtime: Runtime):
    """`with using(rt):` services run against `rt` (scripts, tests without an app)."""
    token = activate(runtime)
    try:
        yield runtime
    finally:
        deactivate(token)
