"""Canned replies: out-of-scope classes (policy 6.1-6.4) and the English-only rule (4.2).

A reply's text may hold the PLACEHOLDERS ({requester_name}, {ticket_id}, {level},
{first_response_due}, {agent_name}); `fill` puts the ticket's values in when an agent picks it.

They are seeded from the policy the first time anyone looks at them (once per running app, and
by the demo); after that the database copy is what staff use, and admins may edit it.
"""
import re
from collections import namedtuple

from peewee import IntegrityError

from portal.services.errors import ServiceError
from portal import prepared
from portal.db import utcnow, write_tx
from portal.models import CannedReply
from portal.services import audit, get_policy, runtime

ENGLISH_ONLY_KEY = "english-only"
MAX_TITLE, MAX_BODY = CannedReply.title.max_length, 5000
PLACEHOLDERS = ("requester_name", "ticket_id", "level", "first_response_due", "agent_name")
# a brace that does not open or close exactly one known placeholder is text, and doubled so that
# format_map keeps it as typed: {unknown}, {x.__class__}, {0}, {level!r}, {level:>99}, a lone "{"
_NOT_PLACEHOLDER = re.compile(r"\{(?:%s)\}|([{}])" % "|".join(PLACEHOLDERS))


def policy_replies():
    """(key, title, body) for every reply the policy defines, in policy order."""
    policy = get_policy()
    replies = [(f"scope-{c.code}", f"{c.code} {c.title}", c.reply) for c in policy.scope.out_of_scope]
    replies.append((ENGLISH_ONLY_KEY, "4.2 English only", policy.english_only_reply))
    return replies


def ensure_seeded():
    """Create the policy's canned replies that are missing (first use, demo); returns how many."""
    existing = {c.key for c in CannedReply.select(CannedReply.key)}
    missing = [r for r in policy_replies() if r[0] not in existing]
    created = 0
    for key, title, body in missing:
        try:
            with write_tx():
                CannedReply.create(key=key, title=title, body=body)
            created += 1
        except IntegrityError:  # another request seeded it a moment ago
            pass
    runtime.current().state["canned_seeded"] = True
    return created


def _seed_once():
    """ensure_seeded on the first use in this app, not on every page view."""
    if not runtime.current().state.get("canned_seeded"):
        ensure_seeded()


def all_replies():
    """Every canned reply, policy order first (by key)."""
    _seed_once()
    return prepared.rows("canned replies", lambda: CannedReply.select().order_by(CannedReply.key))


CannedTitle = namedtuple("CannedTitle", "key title")


def titles():
    """(key, title) of every canned reply in the order of all_replies: what a picker offers,
    without the bodies (plain rows)."""
    _seed_once()
    return [CannedTitle(*row) for row in prepared.rows(
        "canned titles", lambda: CannedReply.select(CannedReply.key, CannedReply.title).order_by(CannedReply.key).tuples())]


def check(title, body):
    """The title and body stripped, or ServiceError naming each field that is wrong."""
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the reply a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title under {MAX_TITLE} characters."
    if not body:
        errors["body"] = "The reply cannot be empty."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the reply under {MAX_BODY} characters."
    if errors:
        raise ServiceError(errors)
    return title, body


def update(reply_id, title, body, actor):
    """Edit a canned reply (admins); ServiceError names the fields that are wrong."""
    title, body = check(title, body)
    with write_tx():
        updated = (CannedReply.update(title=title, body=body, updated_at=utcnow())
                   .where(CannedReply.id == reply_id).execute())
        if updated:
            audit.record(actor, "canned edit", "canned", reply_id)
    return updated == 1


def placeholder_values(ticket, agent, requester=None):
    """The placeholders' values for `ticket` written by `agent`, all plain strings (times in the
    policy's wording); `requester` is the ticket's requester when the caller has it loaded."""
    requester = requester or ticket.requester
    return {"requester_name": requester.name, "ticket_id": str(ticket.id), "level": ticket.level,
            "first_response_due": get_policy().time_text(ticket.due_at), "agent_name": agent.name}


def fill(body, values):
    """`body` with the known placeholders replaced from `values` (placeholder_values); anything
    else in braces stays exactly as typed. str.format_map runs on a text in which only the known
    `{name}` fields remain unescaped, over a mapping of strings: no KeyError, no attribute or index
    lookup, no format spec reaches a value."""
    escaped = _NOT_PLACEHOLDER.sub(lambda m: m.group(1) * 2 if m.group(1) else m.group(0), body or "")
    safe = {name: str(values.get(name, "{" + name + "}")) for name in PLACEHOLDERS}
    return escaped.format_map(safe)
