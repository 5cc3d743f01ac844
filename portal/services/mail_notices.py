"""Notifications the sender writes: a change records that its readers are to hear of it (one
short row in its own transaction), and the mail sender turns that row into their mails.

Filing a ticket used to choose its readers, sign each one's unsubscribe link and render each
one's text inside the request; that was a sixth of a filing's work (issue 16). Now `later()`
writes a MailNotice and `expand_due()`, run by the sender before each delivery round
(mail_sender.deliver_due), does `mail_prefs.notify` for it: the same readers, the same mail, a
few seconds later, queued as of the change (its Date, and its place before a reply queued since).
Readers are chosen when the notice is expanded, so a reader who turned the
kind off meanwhile hears nothing, as with any mail not yet written.

Exactly once: a notice is expanded inside a write transaction (one per batch) that first deletes
it by a conditional DELETE checked by its row count (a second sender deletes nothing and writes
nothing), then queues the outbox rows; a failure rolls both back and the notice stays, tried
again after the outbox's backoff, MAIL_SEND_MAX_ATTEMPTS times; then it waits for an admin's
Retry on /admin/mail, where every notice that failed is listed with its error's name.
"""
import json
import logging

from peewee import InterfaceError, OperationalError

from portal import prepared_writes
from portal.db import utcnow, write_tx
from portal.models import MailNotice, Ticket
from portal.services import get_policy, mail_prefs, runtime
from portal.services.outbox import retry_delay

log = logging.getLogger("portal.mail")


def _ticket_due(ticket, person):
    """The first response's due time in the reader's own zone (policy 1.5)."""
    return {"due": get_policy().time_text_for(ticket.due_at, person.time_zone)}


# what a reader's mail adds, by the name a notice carries: functions of (ticket, person)
READERS = {"ticket_due": _ticket_due}


# what notify() and the mail's template are given besides a notice's context: not the context's to set
RESERVED = frozenset({"to", "template", "kind", "ticket", "attachments", "auto", "headers", "queued_at",
                      "per_reader", "reader", "link", "unsubscribe", "account"})


def later(ticket, kind, template, reader="", auto=True, **context):
    """Record that `template` is to be mailed about `ticket` to `mail_prefs.recipients(ticket, kind)`;
    `context` holds plain values (JSON), `reader` a name from READERS. Call it inside the
    transaction of the change, so the notice commits (or rolls back) with it. What the sender
    could only fail on later is refused here, while the change can still say so."""
    mail_prefs.check_kind(kind)
    if reader and reader not in READERS:
        raise ValueError(f"unknown reader context {reader!r}")
    if RESERVED & context.keys():
        raise ValueError(f"a notice's context cannot set {sorted(RESERVED & context.keys())}")
    text = json.dumps(context, sort_keys=True)
    if json.loads(text) != context:
        raise ValueError("a notice's context must be plain JSON values (str, int, float, bool, None, lists, dicts)")
    now = utcnow()
    notice = prepared_writes.create(MailNotice, kind=kind, template=template, ticket_id=ticket.id, context=text,
                                    reader=reader, auto=bool(auto), next_attempt_at=now, created_at=now)
    runtime.current().mail_noticed()
    return notice


def expand_due(limit=50, now=None):
    """Turn the notices due now into outbox rows, oldest first, a batch after another until none
    is left; returns how many were expanded. A batch is one transaction (a commit per batch, not
    per notice); when one of its notices fails, each is tried alone, so the others are written and
    the failing one is logged and tried again after the outbox's backoff. The database failing
    (OperationalError, InterfaceError) is not a notice's fault: it ends the round, counting nothing."""
    max_attempts = runtime.current().settings["MAIL_SEND_MAX_ATTEMPTS"]
    now = now or utcnow()
    done, failed = 0, set()
    while True:
        batch = list(MailNotice.select().where((MailNotice.attempts < max_attempts)
                                               & (MailNotice.next_attempt_at <= now)
                                               & MailNotice.id.not_in(failed or [0]))
                     .order_by(MailNotice.id).limit(limit))
        if not batch:
            return done
        try:
            done += _expand(batch)
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: BLE001 - one bad notice must not stop the others
            for notice in batch:
                try:
                    done += _expand([notice])
                except (OperationalError, InterfaceError):
                    raise
                except Exception as exc:  # noqa: BLE001
                    failed.add(notice.id)
                    _failed(notice, exc, now)


def _expand(notices):
    """How many of `notices` this call expanded (one another sender took first counts 0), in one
    write transaction: each notice's conditional DELETE, then its readers' mails."""
    with write_tx():
        tickets = {t.id: t for t in Ticket.select().where(Ticket.id.in_([n.ticket_id for n in notices]))}
        done = 0
        for notice in notices:
            if MailNotice.delete().where(MailNotice.id == notice.id).execute() != 1:
                continue
            done += 1
            ticket = tickets.get(notice.ticket_id)
            if ticket is None:  # deleted before its mail was written: nobody to tell about it
                continue
            add = READERS[notice.reader] if notice.reader else None
            per_reader = (lambda person, ticket=ticket, add=add: add(ticket, person)) if add else None
            # queued as of the change: its Date, and its place before mail queued since (a reply)
            mail_prefs.notify(ticket, notice.kind, notice.template, per_reader=per_reader, auto=notice.auto,
                              queued_at=notice.created_at, **json.loads(notice.context or "{}"))
    return done


def _failed(notice, exc, now):
    # the name of the error only: its message may quote the ticket's text or a reader's address
    log.error("mail notice %s (%s): not written: %s", notice.id, notice.kind, exc.__class__.__name__)
    attempts = notice.attempts + 1
    (MailNotice.update(attempts=attempts, last_error=exc.__class__.__name__,
                       next_attempt_at=now + retry_delay(attempts))
     .where(MailNotice.id == notice.id).execute())


def troubled():
    """The notices that failed at least once, oldest first (the admin's mail page), at most 100."""
    return list(MailNotice.select().where(MailNotice.attempts > 0).order_by(MailNotice.id).limit(100))


def waiting_count():
    """How many notices wait to be written, those that failed included."""
    return MailNotice.select().count()


def retry(notice_id):
    """An admin's Retry: a notice that failed is tried again at the sender's next round, its
    attempts counted afresh; False if there is no such notice or it never failed."""
    return (MailNotice.update(attempts=0, next_attempt_at=utcnow(), last_error="")
            .where((MailNotice.id == notice_id) & (MailNotice.attempts > 0)).execute()) == 1
