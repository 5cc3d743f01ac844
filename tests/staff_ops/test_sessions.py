"""Remote sessions (policy 8.1-8.5) scheduled inside support hours (1.5); credentials (8.5)."""
import datetime
import re

import pytest

from portal.models import AuditLog, Credential, CredentialView, RemoteSession
from tests.staff_ops.conftest import make_ticket, next_weekday, post, store_credentials


# The DST weeks of 2027 (second Sunday of March, first Sunday of November), seen from a fixed
# moment before them: sessions are scheduled at most a year ahead, so dates taken relative to
# "now" would drift out of that window on some days of the year.
DST_START_MONDAY = datetime.date(2027, 3, 15)   # PDT, UTC-7
DST_END_MONDAY = datetime.date(2027, 11, 8)     # PST, UTC-8
FRIDAY_BEFORE_DST = datetime.date(2027, 3, 12)  # PST, UTC-8


@pytest.fixture
def before_dst():
    """The clock at Tuesday 5 January 2027, 10:00 PT (ticking), before the users and the app exist."""
    import time_machine
    with time_machine.travel(datetime.datetime(2027, 1, 5, 18, 0, tzinfo=datetime.timezone.utc), tick=True):
        yield


@pytest.fixture
def setup(app, make_user, login):
    customer = make_user(level="PRO")
    agent = make_user(role="staff")
    ticket = make_ticket(customer)
    client = login(agent)
    return customer, agent, ticket, client


def schedule(client, ticket, agent, day, at, **extra):
    data = {"agent": agent.id, "starts_on": day.isoformat(), "starts_time": at, "tool": "Remote Utilities"}
    data.update(extra)
    return post(client, f"/staff/tickets/{ticket.id}/sessions", data)


def test_schedule_inside_hours_converts_pacific_to_utc_and_audits(app, setup):
    customer, agent, ticket, client = setup
    cred = store_credentials(app, ticket)  # policy 8.5: sent before any session; attached on scheduling
    day = next_weekday(10, 1)
    response = schedule(client, ticket, agent, day, "10:30")
    assert response.status_code == 302
    session = RemoteSession.get(RemoteSession.ticket == ticket)
    assert session.status == "scheduled" and session.agent_id == agent.id and session.tool == "Remote Utilities"
    local = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=app.extensions["runtime"].policy.zone)
    assert session.starts_at == local and session.starts_at.tzinfo is datetime.timezone.utc
    assert Credential.get_by_id(cred.id).session_id == session.id
    entry = AuditLog.get(AuditLog.action == "session.schedule")
    assert entry.actor_id == agent.id and entry.object_id == str(session.id)


@pytest.mark.parametrize("day,at,why", [
    (next_weekday(10, 5), "10:00", "Saturday (policy 1.5: Monday to Friday)"),
    (next_weekday(10, 6), "11:00", "Sunday"),
    (next_weekday(10, 2), "07:00", "before 08:00 PT"),
    (next_weekday(10, 2), "07:59", "one minute before opening"),
    (next_weekday(10, 3), "17:30", "after 17:00 PT"),
    (next_weekday(10, 3), "17:00", "closing time is exclusive"),
])
def test_schedule_outside_hours_refused_naming_the_hours(setup, day, at, why):
    _refused_naming_the_hours(setup, day, at, why)


@pytest.mark.parametrize("day,at,why", [
    (DST_START_MONDAY, "07:30", "first PDT Monday, before opening"),
    (DST_START_MONDAY, "17:15", "first PDT Monday, after closing"),
    (DST_END_MONDAY, "07:30", "first PST Monday, before opening"),
    (FRIDAY_BEFORE_DST, "17:00", "last PST Friday before DST"),
])
def test_schedule_outside_hours_in_dst_weeks_refused(before_dst, setup, day, at, why):
    _refused_naming_the_hours(setup, day, at, why)


def _refused_naming_the_hours(setup, day, at, why):
    customer, agent, ticket, client = setup
    response = schedule(client, ticket, agent, day, at)
    assert response.status_code == 400, why
    html = response.get_data(as_text=True)
    # the refusal words the hours as every other page does (the footer says them too)
    assert "Sessions start inside support hours only: 08:00–17:00 Pacific time (PT), Monday to Friday" in html
    assert re.search(r"The next opening is \w{3} \d{1,2} \w{3} \d{4} 08:00 PT\.", html)  # as pt_time writes it
    assert RemoteSession.select().count() == 0


@pytest.mark.parametrize("day,at,utc_hour", [
    (DST_START_MONDAY, "08:00", 15), (DST_START_MONDAY, "16:30", 23),   # PDT: UTC-7 (30 min to closing)
    (DST_END_MONDAY, "08:00", 16), (FRIDAY_BEFORE_DST, "08:30", 16),    # PST: UTC-8
])
def test_schedule_in_dst_weeks_uses_the_right_offset(before_dst, setup, day, at, utc_hour):
    customer, agent, ticket, client = setup
    assert schedule(client, ticket, agent, day, at).status_code == 302
    assert RemoteSession.get().starts_at.hour == utc_hour


def test_schedule_in_the_past_refused(setup):
    customer, agent, ticket, client = setup
    response = schedule(client, ticket, agent, datetime.date(2020, 1, 6), "10:00")
    assert response.status_code == 400 and "in the past" in response.get_data(as_text=True)


def test_schedule_htmx_returns_panels_with_error(setup):
    customer, agent, ticket, client = setup
    response = post(client, f"/staff/tickets/{ticket.id}/sessions",
                    {"agent": agent.id, "starts_on": next_weekday(10, 5).isoformat(), "starts_time": "10:00"},
                    headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="ticket-panels"' in html and "<html" not in html
    assert "The next opening is" in html and RemoteSession.select().count() == 0


def test_other_tool_must_be_named(setup):  # policy 8.3, 8.4
    customer, agent, ticket, client = setup
    day = next_weekday(10, 1)
    response = schedule(client, ticket, agent, day, "10:00", tool="other", other_tool="")
    assert response.status_code == 400 and "policy 8.4" in response.get_data(as_text=True)
    assert schedule(client, ticket, agent, day, "10:00", tool="other", other_tool="AnyDesk").status_code == 302
    assert RemoteSession.get().tool == "AnyDesk"


def test_agent_must_be_staff(setup, make_user):
    customer, agent, ticket, client = setup
    response = schedule(client, ticket, make_user(level="SITE"), next_weekday(10, 1), "10:00")
    assert response.status_code == 400 and RemoteSession.select().count() == 0


def test_free_requester_not_eligible(make_user, login):  # policy 8.2
    free = make_user(level="TRIAL")
    agent = make_user(role="staff")
    ticket = make_ticket(free)
    client = login(agent)
    response = schedule(client, ticket, agent, next_weekday(10, 1), "10:00")
    assert response.status_code == 400 and "policy 8.2" in response.get_data(as_text=True)
    assert RemoteSession.select().count() == 0


def test_reseller_is_eligible(make_user, login):  # policy 3.3
    reseller = make_user(role="reseller")
    agent = make_user(role="staff")
    client = login(agent)
    assert schedule(client, make_ticket(reseller), agent, next_weekday(10, 1), "10:00").status_code == 302


def test_only_one_active_session(setup):
    customer, agent, ticket, client = setup
    assert schedule(client, ticket, agent, next_weekday(10, 1), "10:00").status_code == 302
    response = schedule(client, ticket, agent, next_weekday(10, 2), "10:00")
    assert response.status_code == 400 and "already has a scheduled session" in response.get_data(as_text=True)


def test_requested_session_becomes_the_scheduled_one(app, setup):
    customer, agent, ticket, client = setup
    requested = RemoteSession.create(ticket=ticket, requested_by=customer, status="requested")
    assert schedule(client, ticket, agent, next_weekday(10, 1), "10:00").status_code == 302
    assert RemoteSession.select().count() == 1
    assert RemoteSession.get_by_id(requested.id).status == "scheduled"


def _schedule_with_credentials(app, setup):
    customer, agent, ticket, client = setup
    cred = store_credentials(app, ticket)
    assert schedule(client, ticket, agent, next_weekday(10, 1), "10:00").status_code == 302
    return cred, RemoteSession.get(RemoteSession.ticket == ticket)


def test_start_then_end_destroys_credentials_and_refuses_reveal(app, setup, outbox):  # policy 8.5
    customer, agent, ticket, client = setup
    cred, session = _schedule_with_credentials(app, setup)
    assert post(client, f"/staff/sessions/{session.id}/start").status_code == 302
    assert RemoteSession.get_by_id(session.id).status == "running"
    assert post(client, f"/staff/credentials/{cred.id}/reveal").status_code == 200
    assert post(client, f"/staff/sessions/{session.id}/end").status_code == 302
    ended = RemoteSession.get_by_id(session.id)
    assert ended.status == "ended" and ended.ended_at is not None
    row = Credential.get_by_id(cred.id)
    assert row.ciphertext is None and row.destroyed_at is not None
    response = post(client, f"/staff/credentials/{cred.id}/reveal")
    assert response.status_code == 403 and "s3cret-Pa55" not in response.get_data(as_text=True)
    assert "Destroyed" in response.get_data(as_text=True)
    actions = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert actions == ["session.schedule", "session.start", "credential.view", "session.end"]


def test_end_also_destroys_credentials_sent_after_scheduling(app, setup):
    customer, agent, ticket, client = setup
    assert schedule(client, ticket, agent, next_weekday(10, 1), "10:00").status_code == 302
    session = RemoteSession.get()
    late = store_credentials(app, ticket, "ID-LATE", "late-pass")
    Credential.update(session=None).where(Credential.id == late.id).execute()  # even if left unattached
    assert post(client, f"/staff/sessions/{session.id}/end").status_code == 302
    assert Credential.get_by_id(late.id).ciphertext is None


def test_cancel_destroys_credentials_and_is_audited(app, setup):
    customer, agent, ticket, client = setup
    cred, session = _schedule_with_credentials(app, setup)
    assert post(client, f"/staff/sessions/{session.id}/cancel").status_code == 302
    assert RemoteSession.get_by_id(session.id).status == "cancelled"
    assert Credential.get_by_id(cred.id).ciphertext is None
    assert AuditLog.select().where(AuditLog.action == "session.cancel").count() == 1


def test_ended_session_cannot_start_again(app, setup):
    customer, agent, ticket, client = setup
    cred, session = _schedule_with_credentials(app, setup)
    post(client, f"/staff/sessions/{session.id}/end")
    response = post(client, f"/staff/sessions/{session.id}/start")
    assert response.status_code == 400 and "cannot be started" in response.get_data(as_text=True)


def test_only_assigned_agent_reveals_and_every_view_is_logged(app, setup, make_user, login, outbox):
    customer, agent, ticket, client = setup
    cred, session = _schedule_with_credentials(app, setup)
    for _ in range(2):
        response = post(client, f"/staff/credentials/{cred.id}/reveal", headers={"HX-Request": "true"})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "ID-111-222" in html and "s3cret-Pa55" in html
        assert "no-store" in response.headers["Cache-Control"] and "<html" not in html
    views = list(CredentialView.select().where(CredentialView.credential == cred))
    assert len(views) == 2 and all(v.viewer_id == agent.id and v.viewed_at for v in views)
    logged = list(AuditLog.select().where(AuditLog.action == "credential.view"))
    assert len(logged) == 2 and all(e.actor_id == agent.id for e in logged)
    other = login(make_user(role="staff"), app.test_client())
    response = post(other, f"/staff/credentials/{cred.id}/reveal")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "s3cret-Pa55" not in html and "assigned agent" in html
    assert CredentialView.select().count() == 2
    # never in the audit log or mail (policy 8.5)
    assert not any("s3cret" in e.detail or "ID-111" in e.detail for e in AuditLog.select())
    assert not any("s3cret" in m["body"] for m in outbox)


def test_other_staff_see_hidden_with_reason_on_the_panels(app, setup, make_user, login):
    customer, agent, ticket, client = setup
    cred, session = _schedule_with_credentials(app, setup)
    other = login(make_user(role="admin"), app.test_client())
    html = other.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert f'data-credential-id="{cred.id}"' in html and "only the session&#39;s assigned agent" in html
    assert "Show credentials" not in html
    mine = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert "Show credentials" in mine and "s3cret" not in mine


def test_reveal_refused_before_scheduling(app, setup):
    customer, agent, ticket, client = setup
    cred = store_credentials(app, ticket)
    RemoteSession.create(ticket=ticket, requested_by=customer, agent=agent, status="requested")
    response = post(client, f"/staff/credentials/{cred.id}/reveal")
    assert response.status_code == 403 and "scheduled or running" in response.get_data(as_text=True)
    assert CredentialView.select().count() == 0


def test_reveal_is_post_only(app, setup):
    customer, agent, ticket, client = setup
    cred, session = _schedule_with_credentials(app, setup)
    assert client.get(f"/staff/credentials/{cred.id}/reveal").status_code == 405
    assert client.post(f"/staff/credentials/{cred.id}/reveal").status_code == 400  # CSRF
