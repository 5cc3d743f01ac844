"""Two schedulers book one agent for overlapping times on two tickets at the same moment: exactly
one session is booked, the other scheduler is told the clash (policy 8.1). Each client runs in its
own thread and so on its own connection; a pause after the overlap check (before the insert) makes
sure both have checked before either writes, so only the agent's row lock (PostgreSQL) or the
IMMEDIATE transaction (SQLite) can keep them apart. Runs on SQLite and, with
PORTAL_TEST_DATABASE_URL, on PostgreSQL."""
import threading
import time

from portal import db as database
from portal.models import RemoteSession
from portal.services import sessions
from tests.factories import csrf_token, race_posts
from tests.staff_ops.conftest import make_ticket, next_weekday


def _slow_overlap_check(monkeypatch, pause=0.3):
    original = sessions.overlapping

    def slow(*args, **kwargs):
        found = original(*args, **kwargs)
        time.sleep(pause)
        return found
    monkeypatch.setattr(sessions, "overlapping", slow)


def test_two_schedulers_book_one_agent_at_once_one_wins(app, make_user, login, monkeypatch):
    _slow_overlap_check(monkeypatch)
    day = next_weekday(10, 2).isoformat()
    for round_ in range(3):  # several rounds: the outcome must never depend on luck
        ana = make_user(role="staff", display_name=f"Ana{round_}")
        schedulers = [make_user(role="staff") for _ in range(2)]
        tickets = [make_ticket(make_user(level="PRO")) for _ in range(2)]
        clients = [login(s, app.test_client()) for s in schedulers]
        tokens = [csrf_token(c, "/staff/dashboard") for c in clients]
        forms = [{"agent": ana.id, "starts_on": day, "starts_time": at, "tool": "Remote Utilities",
                  "duration_minutes": "30", "csrf_token": token} for at, token in zip(("10:00", "10:15"), tokens)]
        results = [None, None]

        # each scheduler posts to its own ticket (race_posts takes one URL): the same barrier pattern
        barrier = threading.Barrier(2)

        def run(i):
            try:
                barrier.wait(timeout=10)
                response = clients[i].post(f"/staff/tickets/{tickets[i].id}/sessions", data=forms[i])
                results[i] = (response.status_code, response.get_data(as_text=True))
            finally:
                database.close_connection()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        codes = sorted(code for code, _ in results)
        assert codes == [302, 400], [(c, b[:300]) for c, b in results]
        booked = list(RemoteSession.select().where((RemoteSession.agent == ana.id)
                                                   & RemoteSession.status.in_(("scheduled", "running"))))
        assert len(booked) == 1
        loser = next(body for code, body in results if code == 400)
        assert f"{ana.name} has #{booked[0].ticket_id} at" in loser  # the clash is named


def test_the_same_race_through_race_posts_on_one_ticket_still_books_once(app, make_user, login, monkeypatch):
    """Both schedulers on one ticket: the ticket lock answers first ("already has a session")."""
    _slow_overlap_check(monkeypatch)
    ana = make_user(role="staff")
    ticket = make_ticket(make_user(level="PRO"))
    clients = [login(make_user(role="staff"), app.test_client()) for _ in range(2)]
    forms = [{"agent": ana.id, "starts_on": next_weekday(10, 2).isoformat(), "starts_time": "11:00",
              "tool": "Remote Utilities", "csrf_token": csrf_token(c, "/staff/dashboard")} for c in clients]
    results = race_posts(clients, f"/staff/tickets/{ticket.id}/sessions", forms, seconds=30)
    assert sorted(code for code, _ in results) == [302, 400]
    assert RemoteSession.select().where(RemoteSession.agent == ana.id).count() == 1
