"""Two agents at once on PostgreSQL too (write_tx locks only on SQLite): no double session, no double news.

Each client runs in its own thread and so on its own connection; a barrier releases the requests
together, and a short pause after the service has read (but before it writes) makes sure both
requests read before either writes. Runs on SQLite and, with PORTAL_TEST_DATABASE_URL, on PostgreSQL.
"""
import datetime
import time

from portal.models import Bug, Message, RemoteSession
from portal.services import bugs
from tests.factories import csrf_token, race_posts
from tests.staff_ops.conftest import make_ticket, next_weekday

ETA = (datetime.date.today() + datetime.timedelta(days=20))
LATER = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()


def _race(clients, url, forms):
    tokens = [csrf_token(c, "/staff/dashboard") for c in clients]
    results = race_posts(clients, url, [form | {"csrf_token": token} for form, token in zip(forms, tokens)])
    return [status for status, _ in results]


def _slow(monkeypatch, owner, name, pause=0.3, before=False):
    """Pause around owner.name so that concurrent requests overlap between their read and write."""
    original = getattr(owner, name)

    def slow(*args, **kwargs):
        if before:
            time.sleep(pause)
        result = original(*args, **kwargs)
        if not before:
            time.sleep(pause)
        return result
    monkeypatch.setattr(owner, name, slow)


def test_two_agents_schedule_at_once_one_session(app, make_user, login, monkeypatch):  # policy 8.1
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    agents = [make_user(role="staff") for _ in range(2)]
    clients = [login(a, app.test_client()) for a in agents]
    _slow(monkeypatch, RemoteSession, "save", before=True)  # both have checked before either inserts
    day = next_weekday(10, 2).isoformat()
    forms = [{"agent": a.id, "starts_on": day, "starts_time": "10:00", "tool": "Remote Utilities"} for a in agents]
    codes = _race(clients, f"/staff/tickets/{ticket.id}/sessions", forms)
    assert sorted(codes) == [302, 400], codes
    active = RemoteSession.select().where((RemoteSession.ticket == ticket)
                                          & RemoteSession.status.in_(("scheduled", "running")))
    assert active.count() == 1


def test_two_agents_change_the_eta_at_once_customers_hear_once(app, make_user, login, outbox,
                                                               monkeypatch):  # policy 5.2
    bug = Bug.create(title="Viewer freezes on monitor switch", status="open", workaround="Use one monitor.",
                     eta=ETA)
    customers = [make_user(level="PRO") for _ in range(2)]
    linked = [make_ticket(c, bug=bug) for c in customers]
    clients = [login(make_user(role="staff"), app.test_client()) for _ in range(2)]
    _slow(monkeypatch, bugs, "_news")  # both have read the old ETA before either writes
    form = {"title": bug.title, "status": "open", "eta": LATER, "workaround": bug.workaround, "fixed_in": ""}
    codes = _race(clients, f"/staff/bugs/{bug.id}", [form, form])
    assert codes == [302, 302], codes
    for ticket in linked:
        assert Message.select().where(Message.ticket == ticket).count() == 1
    assert sorted(m["to"] for m in outbox) == sorted(c.email for c in customers)
