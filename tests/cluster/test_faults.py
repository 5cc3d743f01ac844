"""Faults and changes under load, through nginx: a node killed, a rolling restart, PostgreSQL
restarted, Redis stopped. Nothing filed is lost or stored twice; no page shows a trace.

The tests run in file order on one cluster; each leaves it whole (both nodes up, PostgreSQL and
Redis running) for the next, also when it fails.
"""
import time
from pathlib import Path

from tests import factories
from tests.cluster.conftest import (ERRORS, OK, Load, browser, check_stored_once, csrf, in_app, login,
                                    make_users)
from tests.load.conftest import leaks_in


def _clean(answers, allowed):
    """Only the allowed statuses; no page with a trace or a driver's name."""
    bad = [a[1:4] for a in answers if a[2] not in allowed or a[3]]
    assert not bad, bad[:8]


def test_rolling_restart_under_load_fails_no_request(cluster):
    with Load(cluster, "rolling") as load:
        load.wait_filed(6)
        cluster.rolling_restart(log=lambda line: None)
        load.finish()
    _clean(load.answers, OK)  # every answer 200 or 302: no error, no dropped connection
    check_stored_once(cluster, load)
    for i in (0, 1):  # both nodes really were restarted (a new master each), their workers let finish
        assert cluster.node_log(i).count("spawned uWSGI master process") == 2
        assert "Gracefully killing worker" in cluster.node_log(i)


def test_a_node_killed_under_load_nginx_moves_traffic_to_the_other(cluster):
    with Load(cluster, "kill", after=6) as load:
        try:
            load.wait_filed(6)
            cluster.kill_node(1)  # kill -9 of its master, workers and daemons: the machine died
            killed_at = time.monotonic()
            load.wait_answers(killed_at + 1, 12)  # traffic goes on well past the kill
            load.finish()
        finally:
            if cluster.state["nodes"][1]["pid"] is None:
                cluster.start_node(1)
    _clean(load.answers, OK + ERRORS)  # nginx answers every request: 502 for one the dead node held
    check_stored_once(cluster, load)  # an error answer was resent with the same form: stored once
    after = [a for a in load.answers if a[0] > killed_at + 1]
    assert after and all(a[2] in OK for a in after), [a[1:3] for a in after if a[2] not in OK][:5]
    error_log = (cluster.dir / "nginx" / "error.log").read_text()
    assert "Connection refused" in error_log or "prematurely closed" in error_log  # nginx saw it, and moved on


def test_postgresql_restarted_under_load_answers_clean_503s_then_recovers(cluster):
    with Load(cluster, "pg", after=6) as load:
        load.wait_filed(6)
        try:  # the cluster's own server: fast shutdown cuts every connection; it stays down until a
            cluster.pg_ctl("stop")  # client has felt it, so the fault is exercised however fast the machine
            load.wait_answers(time.monotonic(), 1, allowed=(503,), seconds=60)
        finally:
            if not (Path(cluster.state["pg_data"]) / "postmaster.pid").exists():
                cluster.pg_ctl("start")
        load.finish()
    failures = [a for a in load.answers if a[2] not in OK]
    assert failures, "the restart went unnoticed: the test did not exercise the fault"
    _clean(load.answers, OK + (503,))
    assert all("Temporarily unavailable" in a[4] for a in failures)
    after = load.after_done()
    assert after and all(a[2] in OK for a in after), [a[1:3] for a in after if a[2] not in OK][:5]
    check_stored_once(cluster, load)
    for i in (0, 1):
        assert "Traceback" not in cluster.node_log(i)


def _reset_post(cluster, session, email):
    return session.post(cluster.url + "/reset", data={"email": email, "csrf_token": csrf(session, "/reset")},
                        allow_redirects=False, timeout=30)


def _login_post(cluster, session, email):
    return session.post(cluster.url + "/login", allow_redirects=False, timeout=30, data={
        "email": email, "password": factories.PASSWORD, "csrf_token": csrf(session, "/login")})


def test_redis_stopped_login_and_reset_fail_closed_presence_pages_still_answer(cluster):
    from portal.services import tickets as ticket_service
    [customer] = make_users(cluster, 1, level="PRO")
    [agent] = make_users(cluster, 1, role="staff")
    with in_app(cluster):
        from portal.models import User
        owner = User.get(User.email == customer)
        ticket = ticket_service.create_ticket(owner, "Remote Utilities", "", "Presence without Redis",
                                              "The viewer disconnects from the host every few minutes.",
                                              accept_policy=True)
    staff = login(cluster, agent)
    pages = ["/staff/queue", f"/staff/tickets/{ticket.id}"]
    assert [staff.get(cluster.url + p, timeout=30).status_code for p in pages] == [200, 200]
    answers = []
    cluster.stop_redis()
    try:
        anonymous = browser(cluster)
        refused = [_login_post(cluster, anonymous, customer), _reset_post(cluster, anonymous, customer)]
        assert [r.status_code for r in refused] == [503, 503]  # fail closed: never let through uncounted
        assert all("Nothing was saved" in r.text for r in refused)
        for _ in range(3):  # presence shows nobody; the pages still answer
            answers += [staff.get(cluster.url + p, timeout=30) for p in pages]
            answers.append(staff.get(cluster.url + "/tickets/new", timeout=30))
        assert [r.status_code for r in answers] == [200] * len(answers), [r.status_code for r in answers]
        assert not [leaks_in(r.text) for r in refused + answers if leaks_in(r.text)]
    finally:
        cluster.start_redis()
    deadline = time.monotonic() + 30  # the redis clients reconnect by themselves
    while True:
        again = browser(cluster)
        answer = _login_post(cluster, again, customer)
        if answer.status_code == 302 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert answer.status_code == 302
    assert _reset_post(cluster, browser(cluster), customer).status_code == 200
    assert [staff.get(cluster.url + p, timeout=30).status_code for p in pages] == [200, 200]
    for i in (0, 1):
        assert "Traceback" not in cluster.node_log(i)
