"""Prometheus metrics (issue 15): request counters and latency by endpoint, per-level gauges,
the outbox and today's sessions read at scrape time, all only to the bearer token."""
import datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portal.db import utcnow
from portal.models import OutboxMail, RemoteSession
from tests import factories
from tests.ops.conftest import BEARER, TOKEN


def scrape(client):
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_request_moves_its_counter_and_histogram(client):
    labels = {"endpoint": "main.policy_page", "method": "GET", "status": "2xx"}
    before = scrape(client)
    for _ in range(3):
        client.get("/policy")
    client.get("/no/such/page")
    after = scrape(client)
    assert value(after, "portal_http_requests_total", **labels) - value(before, "portal_http_requests_total", **labels) == 3
    count = "portal_http_request_duration_seconds_count"
    assert value(after, count, **labels) - value(before, count, **labels) == 3
    assert value(after, "portal_http_request_duration_seconds_bucket", le="+Inf", **labels) >= 3
    missing = {"endpoint": "none", "method": "GET", "status": "4xx"}  # a path no route has: no path label
    assert value(after, "portal_http_requests_total", **missing) - value(before, "portal_http_requests_total", **missing) == 1


def test_labels_stay_bounded_whatever_the_request_says(client):
    client.open("/ping", method="BREW")  # any word can arrive as a method
    client.get("/a/random/path/123")
    names = {dict(labels).get("method") for (name, labels) in scrape(client) if name == "portal_http_requests_total"}
    assert "BREW" not in names and "other" in names
    assert not any("path" in dict(labels) for (_, labels) in scrape(client))


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong-token-wrong-token-000"}, {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer "}])
def test_without_the_token_metrics_is_not_found(client, headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404 and b"portal_" not in response.data


def test_no_token_configured_means_no_metrics_for_anyone(app, client):
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics", headers=BEARER).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def _seed(app):
    """Tickets and threads of several levels in every queue state; the expected gauges."""
    now = utcnow()
    past, future = now - datetime.timedelta(hours=30), now + datetime.timedelta(hours=30)
    with app.app_context():
        pro, site, free = (factories.make_user(level=level) for level in ("PRO", "SITE", "FREE"))
        reseller = factories.make_user(role="reseller")
        make = factories.make_ticket
        make(pro, due=future)                                    # PRO: open, in time
        make(pro, opened=past - datetime.timedelta(hours=1), due=past)  # PRO: open, breached
        make(pro, due=past, first_response_at=past)              # answered once, awaiting again: open, not breached
        make(pro, due=past, awaiting_staff=False, first_response_at=past)  # waiting for the customer: not open
        make(pro, due=past, status="closed")                     # closed: neither
        make(site, due=past)                                     # SITE: breached
        make(reseller, level="RESELLER", due=future)             # RESELLER: open
        factories.make_thread(free, level="FREE", due=past)      # forum FREE: breached
        factories.make_thread(free, level="FREE", due=future)    # forum FREE: open
        factories.make_thread(free, level="FREE", due=past, hidden=True)  # hidden: neither
    return {("ticket", "PRO"): (3, 1), ("ticket", "SITE"): (1, 1), ("ticket", "RESELLER"): (1, 0),
            ("forum", "FREE"): (2, 1)}


def test_open_and_breached_requests_per_level_match_the_seeded_data(app, client):
    from portal.policy import LEVELS
    expected = _seed(app)
    samples = scrape(client)
    assert value(samples, "portal_state_up") == 1
    for channel in ("ticket", "forum"):
        for level in LEVELS:
            want = expected.get((channel, level), (0, 0))
            got = (value(samples, "portal_open_requests", channel=channel, level=level),
                   value(samples, "portal_breached_requests", channel=channel, level=level))
            assert got == want, (channel, level)
            assert ("portal_open_requests", (("channel", channel), ("level", level))) in samples  # zeros too


def test_the_state_gauges_cost_a_few_queries_whatever_the_data(app, client):
    from tests.factories import counting_queries
    client.get("/metrics", headers=BEARER)
    with counting_queries() as empty:
        client.get("/metrics", headers=BEARER)
    _seed(app)
    with counting_queries() as full:
        client.get("/metrics", headers=BEARER)
    assert len(full) == len(empty) <= 5  # per level in two queries, the outbox and its notices in two, sessions in one


def test_outbox_backlog_and_failures(app, client):
    now = utcnow()

    def mail(status, due):
        OutboxMail.create(to="someone@example.test", subject="s", text="t", token="x" * 32, status=status,
                          next_attempt_at=due)
    with app.app_context():
        mail("queued", now - datetime.timedelta(seconds=600))   # due ten minutes ago, not taken
        mail("queued", now + datetime.timedelta(seconds=300))   # waiting out its backoff
        mail("sending", now)
        mail("failed", now - datetime.timedelta(days=1))
        mail("failed", now - datetime.timedelta(days=2))
        mail("sent", now - datetime.timedelta(days=3))
    samples = scrape(client)
    assert [value(samples, "portal_outbox_mails", status=s) for s in ("queued", "sending", "failed")] == [2, 1, 2]
    assert 600 <= value(samples, "portal_outbox_oldest_queued_age_seconds") < 600 + 300


def test_an_empty_outbox_is_zero(client):
    samples = scrape(client)
    assert value(samples, "portal_outbox_oldest_queued_age_seconds") == 0
    assert value(samples, "portal_outbox_mails", status="queued") == 0


def test_remote_sessions_today(app, client):
    now = utcnow()
    day = datetime.timedelta(days=1)
    with app.app_context():
        customer, agent = factories.make_user(level="PRO"), factories.make_user(role="staff")
        ticket = factories.make_ticket(customer)

        def session(status, starts_at):
            RemoteSession.create(ticket=ticket, requested_by=agent, agent=agent, status=status, starts_at=starts_at)
        session("scheduled", now)
        session("scheduled", now)
        session("running", now)
        session("ended", now)
        session("cancelled", now)      # cancelled: on no day
        session("scheduled", now + day)  # tomorrow
        session("ended", now - day)      # yesterday
        RemoteSession.create(ticket=ticket, requested_by=customer, status="requested")  # no time yet
    samples = scrape(client)
    assert [value(samples, "portal_remote_sessions_today", status=s) for s in ("scheduled", "running", "ended")] == [2, 1, 1]


def test_a_scrape_with_the_database_down_still_serves_the_request_metrics(app, client, monkeypatch):
    from peewee import OperationalError

    from portal.services import health

    def down(now=None):
        raise OperationalError("could not connect")
    monkeypatch.setattr(health, "requests_by_level", down)
    samples = scrape(client)
    assert value(samples, "portal_state_up") == 0
    assert any(name == "portal_http_requests_total" for name, _ in samples)


def test_broken_request_metrics_never_fail_a_request(client, monkeypatch, log_lines):
    from portal.web import metrics

    def broken(*labels):
        raise FileNotFoundError("the multiprocess folder is gone")
    monkeypatch.setattr(metrics, "_children", {})
    monkeypatch.setattr(metrics, "_failed", [])
    monkeypatch.setattr(metrics.REQUESTS, "labels", broken)
    log_lines()
    assert client.get("/ping").status_code == 200 and client.get("/ping").status_code == 200
    errors = [line for line in log_lines() if line["level"] == "ERROR"]
    assert [line["message"] for line in errors] == ["request metrics failed: FileNotFoundError"]  # once
