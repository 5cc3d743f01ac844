"""Reply by email: a mail the inbound SMTP server received becomes a reply on its ticket (policy 4.3).

Policy 4.3: support by direct email is not guaranteed; replies to ticket mails are part of the
ticket system. So mail is taken only for a ticket's signed reply address (reply_address) and the
plain support address, only from someone who may see that ticket, and it goes through the same
reply service as the web form (closed tickets, policy 8.5 credentials check, attachment
allowlist). Automatic mail (auto-replies, bounces, lists, our own mail coming back) is never
stored and never answered, so two robots cannot talk to each other for ever.

Every received mail leaves one InboundMail row keyed by its Message-ID, written in the
transaction that stores the reply: a redelivered mail finds the row and stores nothing twice.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from email import policy as email_policy
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from mailparser_reply import EmailReplyParser
from peewee import IntegrityError

from portal.db import utcnow, write_tx
from portal.models import Ticket, User
from portal.models.inbound import InboundMail
from portal.services import attachments, get_policy, links, reply_address, runtime, setting, tickets
from portal.services.errors import ServiceError

REPLIES_PER_HOUR = 120  # as the web reply form (portal/web/tickets.py reply: 120 per hour)
KIND = "inbound_answer"  # the notification kind of every automatic answer (the outbox's list)


@dataclass(frozen=True)
class Result:
    """What became of one mail: `outcome` (stored, duplicate, automatic, refused, credentials,
    closed, unknown, busy) and the SMTP answer the server gives (`smtp`)."""
    outcome: str
    smtp: str
    message_id: int | None = None  # the stored Message (reply) when outcome == "stored"


ACCEPTED = "250 2.0.0 OK"
# headers only robots and lists write (X-Auto-Response-Suppress only asks others not to answer,
# so it alone does not make a mail automatic)
ROBOT_HEADERS = ("X-Autoreply", "X-Autorespond", "List-Id", "X-Loop")
REFUSED = "550 5.7.1 This address does not take mail from you"


def support_address() -> str:
    """The plain support address (MAIL_FROM's address), lower case."""
    return parseaddr(setting("MAIL_FROM"))[1].lower()


def accepts(address: str) -> bool:
    """May the server take mail for this recipient? A signed reply address or the support
    address only (policy 4.3); everything else is refused at RCPT."""
    address = (address or "").strip().strip("<>").lower()
    return address == support_address() or reply_address.ticket_of(address) is not None


def parse(data: bytes):
    """The message, parsed with the modern email policy."""
    return BytesParser(policy=email_policy.default).parsebytes(data)


def is_automatic(msg, envelope_from: str | None) -> bool:
    """An auto-reply, bounce, list mail or our own mail coming back: never stored, never answered
    (RFC 3834 Auto-Submitted, Precedence, the empty return path of bounces, X-Autoreply)."""
    if envelope_from is not None and envelope_from.strip().strip("<>") == "":
        return True  # bounces come from the null return path (RFC 5321 4.5.5)
    auto = (msg.get("Auto-Submitted") or "no").strip().lower()
    if auto != "no":
        return True
    if (msg.get("Precedence") or "").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    if any(msg.get(h) is not None for h in ROBOT_HEADERS):
        return True
    if msg.get_content_type() == "multipart/report":  # delivery status notifications (RFC 6522)
        return True
    domain = setting("MAIL_DOMAIN").lower()
    message_id = (msg.get("Message-ID") or "").strip().strip("<>").lower()
    if message_id.endswith("@" + domain):
        return True  # one of our own mails, looped back
    sender = _from(msg)
    return sender == support_address()


def _from(msg) -> str:
    try:
        found = getaddresses([str(msg.get("From") or "")])
    except Exception:  # a header the parser cannot read names nobody
        return ""
    return found[0][1].strip().lower() if len(found) == 1 else ""


def _key(msg, data):
    message_id = (msg.get("Message-ID") or "").strip()
    if message_id:
        return message_id[:255]
    return "sha256:" + hashlib.sha256(data).hexdigest()  # the same bytes redelivered: the same key


_QUOTED_TAIL = re.compile(r"(?:\n[ \t]*(?:>.*)?)+\Z")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def reply_text(msg) -> str:
    """The new text of a reply: the plain part (or the HTML part as text), with the quoted mail
    and the signature removed by mail-parser-reply, and a trailing `>` quote block removed."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = html.unescape(_TAGS.sub("", re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)))
    text = text.replace("\r\n", "\n")
    parsed = EmailReplyParser(languages=["en"]).read(text)
    body = parsed.replies[0].body if parsed.replies else text
    return _QUOTED_TAIL.sub("", "\n" + body).strip()


def files_of(msg):
    """The attached files as the web form hands them over (attachments.Incoming); inline parts
    without a name (a signature logo) are not attachments."""
    found = []
    for part in msg.iter_attachments():
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue
        found.append(attachments.Incoming(name or "", part.get_payload(decode=True) or b""))
    return found


def _sender_users(addresses, ticket):
    """The accounts behind every address (From and envelope), each of whom may see the ticket as
    a customer (requester, participant, partner member by `[partners] visibility`); else None."""
    users = []
    for address in dict.fromkeys(a for a in addresses if a):
        user = User.get_or_none(User.email == address)
        if user is None or not user.is_active_account or user.is_staff or not tickets.may_see(user, ticket):
            return None
        users.append(user)
    return users[0] if users else None


def _answered_lately(sender):
    since = utcnow() - timedelta(hours=get_policy().mail.auto_answer_every_hours)
    return (InboundMail.select().where((InboundMail.sender == sender) & InboundMail.answered
                                       & (InboundMail.received_at > since)).exists())


def _answer(row, template, **context):
    """One automatic answer (auto=True: Auto-Submitted), at most one per sender in
    `[mail] auto_answer_every_hours` (policy 4.3): the loop guard of the last resort."""
    if not row.sender or _answered_lately(row.sender):
        return
    runtime.current().send_template(row.sender, template, kind=KIND, auto=True, **context)
    row.answered = True


def _busy(sender):
    since = utcnow() - timedelta(hours=1)
    return (InboundMail.select().where((InboundMail.sender == sender) & (InboundMail.outcome == "stored")
                                       & (InboundMail.received_at > since)).count()) >= REPLIES_PER_HOUR


def receive(envelope_from: str | None, recipients, data: bytes) -> Result:
    """Handle one mail the server accepted for `recipients`; returns what became of it."""
    msg = parse(data)
    sender = _from(msg)
    ticket_id = next((t for t in (reply_address.ticket_of(r) for r in recipients) if t is not None), None)
    row = InboundMail(message_key=_key(msg, data), sender=sender, ticket_id=ticket_id, received_at=utcnow())
    try:
        with write_tx():
            if InboundMail.select().where(InboundMail.message_key == row.message_key).exists():
                return Result("duplicate", ACCEPTED)
            result = _handle(row, msg, (envelope_from or "").strip().strip("<>").lower())
            if result.outcome != "busy":
                row.outcome = result.outcome
                row.save(force_insert=True)
            return result
    except IntegrityError:  # the same mail delivered twice at once: the other delivery stored it
        if InboundMail.select().where(InboundMail.message_key == row.message_key).exists():
            return Result("duplicate", ACCEPTED)
        raise


def _handle(row, msg, envelope_from):
    rules = get_policy().mail
    if is_automatic(msg, envelope_from):
        return Result("automatic", ACCEPTED)  # taken and dropped: refusing it would bounce a bounce
    ticket = Ticket.get_or_none(Ticket.id == row.ticket_id) if row.ticket_id else None
    if ticket is None:  # policy 4.3 Decision: mail that belongs to no ticket
        if rules.unknown_mail == "auto_answer":
            _answer(row, "inbound_unknown", portal_link=links.absolute("/"),
                    new_ticket_link=links.absolute("/tickets/new"))
        return Result("unknown", ACCEPTED)
    user = _sender_users([row.sender, envelope_from], ticket)
    if user is None or not row.sender:
        return Result("refused", REFUSED)  # a forged or foreign sender: nothing stored, nothing answered
    if _busy(row.sender):
        return Result("busy", "451 4.7.1 Too many replies this hour; try again later")
    if ticket.status == "closed" or (ticket.status == "solved" and rules.reply_to_solved != "reopen"):
        # policy 4.3 Decision: a closed ticket takes no replies; the answer says where to go instead
        if rules.reply_to_closed == "answer_new_ticket":
            _answer(row, "inbound_closed", ticket=ticket, link=links.ticket_url(ticket),
                    new_ticket_link=links.absolute("/tickets/new"))
        return Result("closed", ACCEPTED)
    try:  # the web reply's rules: body, credentials (policy 8.5), attachments; solved -> open
        message = tickets.add_reply(ticket, user, reply_text(msg), files=files_of(msg))
    except ServiceError as exc:
        if exc.secret:  # policy 8.5: refused, and told where credentials go
            _answer(row, "inbound_credentials", ticket=ticket,
                    credentials_link=links.ticket_url(ticket) + "#credentials")
            return Result("credentials", "550 5.7.1 Refused: the reply looks like it carries credentials; "
                                         "use the ticket's credentials form")
        _answer(row, "inbound_refused", ticket=ticket, reasons=list(exc.errors.values()),
                link=links.ticket_url(ticket))
        return Result("refused", "550 5.7.1 Refused: " + " ".join(exc.errors.values())[:300])
    return Result("stored", ACCEPTED, message.id)
