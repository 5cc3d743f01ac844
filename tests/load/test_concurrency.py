"""Many clients at once under uWSGI (4 workers): no ticket lost or doubled, no claim shared.

Runs on SQLite and, with PORTAL_TEST_DATABASE_URL set, on PostgreSQL. One server per module.
"""
import collections
import threading

import pytest
import requests

from bench import harness
from portal.models import AuditLog, Message, Ticket
from portal.services import tickets as ticket_service
from tests import factories
from tests.load.conftest import (BODY, in_app, leaks_in, login_all, make_users, new_ticket_form,
                                 post_ticket, run_threads, subject_for, ticket_id_of)

pytestmark = pytest.mark.slow

CLIENTS, PER_CLIENT = 40, 25
AGENTS, CLAIMED = 10, 50


def _file_many(session, tag, count):
    """File `count` tickets through the form; [(subject, GET status, POST response)]."""
    filed = []
    for n in range(count):
        page, data = new_ticket_form(session)
        if data is None:
            filed.append((None, page.status_code, page))
            continue
        subject = subject_for(tag, n)
        data.update(subject=subject, body=f"{BODY} ({subject})")
        filed.append((subject, 200, post_ticket(session, data)))
    return filed


def test_forty_clients_file_25_tickets_each_and_every_one_is_stored_once(server):
    users = make_users(server, CLIENTS, level="PRO")
    sessions = login_all(server, users)
    results = [None] * CLIENTS

    def client(i):
        results[i] = _file_many(sessions[i], f"client{i}", PER_CLIENT)
    run_threads(CLIENTS, client)

    failed = [(i, subject, status, resp.status_code, resp.text[:300])
              for i, rows in enumerate(results) for subject, status, resp in rows
              if status != 200 or ticket_id_of(resp) is None]
    assert not failed, failed[:5]  # every form served, every POST answered 302 → /tickets/<id>
    answered = {ticket_id_of(resp): (users[i][0], subject)
                for i, rows in enumerate(results) for subject, _, resp in rows}
    assert len(answered) == CLIENTS * PER_CLIENT  # no two submissions answered with the same ticket
    with in_app(server):
        rows = {t.id: (t.requester_id, t.subject) for t in Ticket.select()}
        assert rows == answered  # every ticket stored, exactly once, nothing extra
        for user_id, _, _ in users:
            mine = Ticket.select().where(Ticket.requester == user_id)
            assert mine.count() == PER_CLIENT
            assert len({t.subject for t in mine}) == PER_CLIENT
        firsts = collections.Counter(m.ticket_id for m in Message.select())
        assert firsts == {ticket_id: 1 for ticket_id in answered}  # each with its first message
        assert all(m.author_id == rows[m.ticket_id][0] and m.body.endswith(f"({rows[m.ticket_id][1]})")
                   for m in Message.select())
    log = server.log_text()
    assert "database is locked" not in log  # SQLite: no writer gave up under the load
    assert "Traceback" not in log


def _clone(session):
    """The same browser sending again: a second connection with the same cookies."""
    twin = requests.Session()
    twin.cookies.update(session.cookies)
    twin.base_url = session.base_url
    return twin


def test_a_double_submitted_form_stores_one_ticket(server):
    (user,) = make_users(server, 1, level="PRO")
    (session,) = login_all(server, [user])
    for round_ in range(8):  # several rounds: the outcome must never depend on luck
        page, data = new_ticket_form(session)
        subject = subject_for("double", round_)
        data.update(subject=subject, body=BODY)
        twins, answers = [_clone(session) for _ in range(4)], [None] * 4
        barrier = threading.Barrier(4)

        def click(i):
            barrier.wait(timeout=30)
            answers[i] = post_ticket(twins[i], data)
        run_threads(4, click)  # four clicks at the same moment
        answers.append(post_ticket(session, data))  # and once more after the first has landed
        ids = {ticket_id_of(r) for r in answers}
        assert len(ids) == 1 and None not in ids, [(r.status_code, r.text[:300]) for r in answers]
        with in_app(server):
            stored = Ticket.select().where(Ticket.subject == subject)
            assert [t.id for t in stored] == list(ids)
            assert Message.select().where(Message.ticket == stored[0].id).count() == 1
    with in_app(server):
        assert Ticket.select().where(Ticket.requester == user[0]).count() == 8


def _seed_tickets(server, count):
    """`count` open tickets from one PRO customer, filed through the service."""
    with in_app(server):
        owner = factories.make_user(level="PRO")
        return [ticket_service.create_ticket(owner, "Remote Utilities", "", subject_for("claim", n), BODY,
                                             accept_policy=True).id for n in range(count)]


def _won(response):
    """A claim that succeeded: the plain form's redirect, or htmx's refreshed component."""
    return response.status_code == 302 or (response.status_code == 200
                                            and "You have claimed this ticket." in response.text)


def test_ten_agents_racing_for_the_same_50_tickets_each_claimed_exactly_once(server):
    with in_app(server):
        agents = [factories.make_user(role="staff", display_name=f"Agent {k:02d}") for k in range(AGENTS)]
        agents = [(a.id, a.email, a.name) for a in agents]
    ticket_ids = _seed_tickets(server, CLAIMED)
    sessions = login_all(server, agents)
    tokens = [harness.csrf_from(s.get(server.url + "/staff/queue", timeout=60).text) for s in sessions]
    answers = {ticket_id: {} for ticket_id in ticket_ids}  # ticket id → agent index → response
    barrier = threading.Barrier(AGENTS)

    def agent(k):
        htmx = k % 2 == 1  # half press the htmx button (token in the header), half post the plain form
        try:
            for ticket_id in ticket_ids:
                barrier.wait(timeout=60)  # all ten press "Claim" on the same ticket together
                answers[ticket_id][k] = sessions[k].post(
                    f"{server.url}/staff/tickets/{ticket_id}/claim", allow_redirects=False, timeout=60,
                    data={} if htmx else {"csrf_token": tokens[k]},
                    headers={"HX-Request": "true", "X-CSRFToken": tokens[k]} if htmx else {})
        except BaseException:
            barrier.abort()  # the others stop waiting for a client that is gone
            raise
    run_threads(AGENTS, agent)

    with in_app(server):
        for ticket_id in ticket_ids:
            won = [k for k, r in answers[ticket_id].items() if _won(r)]
            assert len(won) == 1, (ticket_id, [(k, r.status_code) for k, r in answers[ticket_id].items()])
            winner = won[0]
            losers = [r.status_code for k, r in answers[ticket_id].items() if k != winner]
            assert losers == [409] * (AGENTS - 1), (ticket_id, losers)
            assert Ticket.get_by_id(ticket_id).assignee_id == agents[winner][0]
            for k, response in answers[ticket_id].items():
                if k != winner:  # the losers are told who has it, and nothing more
                    assert f"{agents[winner][2]} has already claimed this ticket" in response.text
                    assert not leaks_in(response.text)
            claims = AuditLog.select().where((AuditLog.action == "claim")
                                             & (AuditLog.object_id == str(ticket_id)))
            assert [a.actor_id for a in claims] == [agents[winner][0]]
    assert "Traceback" not in server.log_text()
