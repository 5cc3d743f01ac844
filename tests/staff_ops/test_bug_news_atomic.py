"""A bug update and the replies it owes linked tickets are one transaction (policy 5.2); closed ones get none."""
import datetime

import pytest

from portal.models import AuditLog, Bug, Message, Ticket
from portal.services import bugs
from tests.staff_ops.conftest import make_ticket

ETA = datetime.date.today() + datetime.timedelta(days=20)
LATER = datetime.date.today() + datetime.timedelta(days=40)


def _bug():
    return Bug.create(title="Viewer freezes on monitor switch", status="open", workaround="Use one monitor.", eta=ETA)


def _form(bug, **changes):
    return bugs.BugFields(**{"title": bug.title, "status": bug.status, "eta": bug.eta, "workaround": bug.workaround,
                             "fixed_in": bug.fixed_in} | changes)


def test_failure_on_one_ticket_writes_nothing_and_mails_nobody(ctx, make_user, outbox, monkeypatch):  # 5.2
    bug, staff = _bug(), make_user(role="staff")
    linked = [make_ticket(make_user(level="PRO"), bug=bug) for _ in range(3)]
    calls, original = [], Message.create.__func__

    def flaky(cls, **fields):
        calls.append(fields)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(cls, **fields)
    monkeypatch.setattr(Message, "create", classmethod(flaky))
    with pytest.raises(RuntimeError):
        bugs.update(bug.id, staff, _form(bug, eta=LATER))
    monkeypatch.undo()
    assert Bug.get_by_id(bug.id).eta == ETA  # the bug is not saved either
    assert Message.select().where(Message.ticket.in_([t.id for t in linked])).count() == 0
    assert [t.first_response_at for t in Ticket.select()] == [None, None, None]
    assert outbox == [] and AuditLog.select().where(AuditLog.action == "bug.update").count() == 0


def test_closed_tickets_get_no_reply(ctx, make_user, outbox):  # policy 5.2; closed means nobody waits
    bug, staff = _bug(), make_user(role="staff")
    open_one = make_ticket(make_user(level="PRO"), bug=bug)
    solved = make_ticket(make_user(level="PRO"), bug=bug, status="solved")
    closed = make_ticket(make_user(level="PRO"), bug=bug, status="closed")
    saved, replies = bugs.update(bug.id, staff, _form(bug, status="fixed", fixed_in="8.1.0.3"))
    assert saved.status == "fixed" and replies == 2
    assert Message.select().where(Message.ticket == closed).count() == 0
    assert Ticket.get_by_id(closed.id).status == "closed"
    for ticket in (open_one, solved):
        (reply,) = Message.select().where(Message.ticket == ticket)
        assert "fixed in version 8.1.0.3" in reply.body
    assert sorted(m["to"] for m in outbox) == sorted([open_one.requester.email, solved.requester.email])
