"""Remote sessions with a length (policy 8.1, 1.5): the whole span inside support hours, no agent
booked twice, reschedule and cancel with iCalendar mails (REQUEST/CANCEL, stable UID, rising
SEQUENCE), each person's time zone, the requester's answer, and the staff calendar."""
import datetime

import icalendar
import pytest

from portal.db import utcnow
from portal.models import AuditLog, RemoteSession, TicketParticipant, User
from tests import factories
from tests.staff_ops.conftest import make_ticket, next_weekday, post, scheduled_session

PT = "America/Los_Angeles"


def pacific(day, hour, minute=0):
    from zoneinfo import ZoneInfo
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(PT))


@pytest.fixture
def world(app, make_user, login):
    customer = make_user(level="PRO", display_name="Pat")
    ana = make_user(role="staff", display_name="Ana")
    bob = make_user(role="staff", display_name="Bob")
    return customer, ana, bob, login(ana)


def schedule(client, ticket, agent, day, at, minutes=None, **extra):
    data = {"agent": agent.id, "starts_on": day.isoformat(), "starts_time": at, "tool": "Remote Utilities"}
    if minutes is not None:
        data["duration_minutes"] = minutes
    return post(client, f"/staff/tickets/{ticket.id}/sessions", data | extra)


def reschedule(client, session, agent, day, at, minutes=30):
    return post(client, f"/staff/sessions/{session.id}/reschedule",
                {"agent": agent.id, "starts_on": day.isoformat(), "starts_time": at, "duration_minutes": minutes})


def invites(outbox, to=None):
    """(mail, parsed calendar, method param) of every mail with a calendar file, optionally to one address."""
    found = []
    for mail in outbox:
        for name, kind, method, data in mail.get("attachments", []):
            if kind == "text/calendar" and (to is None or mail["to"] == to):
                found.append((mail, icalendar.Calendar.from_ical(data), method, name))
    return found


# -- length and support hours (policy 1.5) -------------------------------------------------------

def test_default_length_is_30_minutes_and_a_chosen_one_is_kept(world, make_user):
    customer, ana, bob, client = world
    day = next_weekday(10, 1)
    assert schedule(client, make_ticket(customer), ana, day, "10:00").status_code == 302
    assert schedule(client, make_ticket(customer), ana, day, "11:00", minutes=90).status_code == 302
    first, second = RemoteSession.select().order_by(RemoteSession.id)
    assert first.duration_minutes == 30 and first.ends_at - first.starts_at == datetime.timedelta(minutes=30)
    assert second.duration_minutes == 90 and second.ends_at == pacific(day, 12, 30)


def test_the_form_offers_the_services_lengths(world):
    customer, ana, bob, client = world
    ticket = make_ticket(customer)
    html = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    for minutes in (15, 30, 45, 60, 90, 120):
        assert f'<option {"selected " if minutes == 30 else ""}value="{minutes}">{minutes} minutes</option>' in html


@pytest.mark.parametrize("at,minutes,ok", [
    ("16:30", 30, True),    # ends exactly at closing
    ("16:45", 30, False),   # would run past 17:00 PT
    ("15:30", 120, False),
    ("08:00", 120, True),
])
def test_the_whole_session_lies_inside_support_hours(world, at, minutes, ok):  # policy 1.5
    customer, ana, bob, client = world
    response = schedule(client, make_ticket(customer), ana, next_weekday(10, 2), at, minutes=minutes)
    assert response.status_code == (302 if ok else 400)
    if not ok:
        html = response.get_data(as_text=True)
        assert "after support hours close at 17:00 PT (policy 1.5)" in html and "Start by" in html
        assert RemoteSession.select().count() == 0


def test_a_length_outside_the_choices_is_refused(world):
    customer, ana, bob, client = world
    response = schedule(client, make_ticket(customer), ana, next_weekday(10, 2), "10:00", minutes=20)
    assert response.status_code == 400 and "length" in response.get_data(as_text=True).lower()
    assert RemoteSession.select().count() == 0


# -- no double booking (policy 8.1) ----------------------------------------------------------------

def test_an_agent_cannot_be_booked_twice_and_the_clash_is_named(world):
    customer, ana, bob, client = world
    day = next_weekday(10, 3)
    first = make_ticket(customer)
    assert schedule(client, first, ana, day, "10:00").status_code == 302
    other = make_ticket(customer)
    response = schedule(client, other, ana, day, "10:15")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Ana has #{first.id} at 10:00–10:30 PT on {factories.POLICY.time_text(pacific(day, 10))[:-9]}" in html
    assert RemoteSession.select().where(RemoteSession.ticket == other).count() == 0
    assert schedule(client, other, ana, day, "09:30").status_code == 302  # ends as the other starts


@pytest.mark.parametrize("at,minutes,clash", [
    ("09:45", 30, True), ("10:15", 15, True), ("10:25", 15, True), ("09:00", 120, True),  # inside or around
    ("10:30", 30, False), ("09:30", 30, False), ("09:45", 15, False),                     # touching only
])
def test_overlap_is_any_shared_minute(world, at, minutes, clash):  # the booked session is 10:00-10:30 PT
    customer, ana, bob, client = world
    day = next_weekday(10, 3)
    assert schedule(client, make_ticket(customer), ana, day, "10:00").status_code == 302
    assert schedule(client, make_ticket(customer), ana, day, at, minutes=minutes).status_code == (
        400 if clash else 302)


def test_another_agent_and_finished_sessions_do_not_clash(world):
    customer, ana, bob, client = world
    day = next_weekday(10, 3)
    assert schedule(client, make_ticket(customer), ana, day, "10:00").status_code == 302
    assert schedule(client, make_ticket(customer), bob, day, "10:00").status_code == 302
    cancelled = make_ticket(customer)
    scheduled_session(cancelled, ana, status="cancelled", starts_at=pacific(day, 11))
    assert schedule(client, make_ticket(customer), ana, day, "11:00").status_code == 302


# -- reschedule and cancel with calendar mails (iCalendar REQUEST / CANCEL) ---------------------------

def test_scheduling_mails_the_requester_and_participants_an_invitation(app, make_user, login, outbox):
    partner, (manager, member) = factories.in_app_context(app, factories.make_partner)(managers=1, members=1)
    ticket = make_ticket(member, partner=partner)
    TicketParticipant.create(ticket=ticket, user=manager)
    ana = make_user(role="staff", display_name="Ana")
    client = login(ana)
    day = next_weekday(10, 2)
    assert schedule(client, ticket, ana, day, "10:00").status_code == 302
    found = invites(outbox)
    assert sorted(mail["to"] for mail, *_ in found) == sorted([member.email, manager.email])
    for mail, cal, method, name in found:
        assert method == "REQUEST" and name == "invite.ics" and cal["METHOD"] == "REQUEST"
        event = cal.walk("VEVENT")[0]
        assert event.decoded("DTSTART") == pacific(day, 10) and event.decoded("DTEND") == pacific(day, 10, 30)
        assert int(event["SEQUENCE"]) == 0 and str(event["ATTENDEE"]) == f"mailto:{mail['to']}"
        assert "10:00 PT" in mail["body"] and "30 minutes" in mail["body"] and "Ana" in mail["body"]


def test_reschedule_raises_the_sequence_keeps_the_uid_and_cancel_withdraws(world, outbox):
    customer, ana, bob, client = world
    ticket = make_ticket(customer)
    day, later = next_weekday(10, 2), next_weekday(10, 3)
    assert schedule(client, ticket, ana, day, "10:00").status_code == 302
    session = RemoteSession.get()
    RemoteSession.update(confirmed_at=utcnow()).execute()
    assert reschedule(client, session, bob, later, "14:00", 60).status_code == 302
    moved = RemoteSession.get_by_id(session.id)
    assert (moved.sequence, moved.agent_id, moved.duration_minutes, moved.confirmed_at) == (1, bob.id, 60, None)
    assert moved.starts_at == pacific(later, 14)
    assert post(client, f"/staff/sessions/{session.id}/cancel").status_code == 302
    assert RemoteSession.get_by_id(session.id).sequence == 2
    found = invites(outbox, customer.email)
    assert [(c["METHOD"], int(c.walk("VEVENT")[0]["SEQUENCE"])) for _, c, *_ in found] == [
        ("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
    assert len({str(c.walk("VEVENT")[0]["UID"]) for _, c, *_ in found}) == 1
    assert found[1][1].walk("VEVENT")[0].decoded("DTSTART") == pacific(later, 14)
    assert str(found[2][1].walk("VEVENT")[0]["STATUS"]) == "CANCELLED" and found[2][2] == "CANCEL"
    assert "cancelled" in found[2][0]["subject"].lower()
    assert [a.action for a in AuditLog.select().order_by(AuditLog.id)] == [
        "session.schedule", "session.reschedule", "session.cancel"]


def test_reschedule_follows_the_same_rules(world):
    customer, ana, bob, client = world
    day = next_weekday(10, 2)
    taken = make_ticket(customer)
    assert schedule(client, taken, bob, day, "10:00").status_code == 302
    assert schedule(client, make_ticket(customer), ana, day, "09:00").status_code == 302
    session = RemoteSession.get(RemoteSession.agent == ana.id)
    response = reschedule(client, session, bob, day, "10:15")
    assert response.status_code == 400 and f"Bob has #{taken.id} at 10:00–10:30 PT" in response.get_data(as_text=True)
    assert reschedule(client, session, ana, day, "16:45").status_code == 400  # past closing
    assert reschedule(client, session, ana, day, "09:15").status_code == 302  # overlapping itself is fine
    assert RemoteSession.get_by_id(session.id).sequence == 1


def test_closing_the_ticket_withdraws_the_invitation(world, outbox):  # policy 8.5: no session outlives it
    customer, ana, bob, client = world
    ticket = make_ticket(customer)
    assert schedule(client, ticket, ana, next_weekday(10, 2), "10:00").status_code == 302
    assert post(client, f"/staff/tickets/{ticket.id}/status", {"status": "closed"}).status_code in (200, 302)
    session = RemoteSession.get()
    assert session.status == "cancelled" and session.sequence == 1
    assert [(c["METHOD"], int(c.walk("VEVENT")[0]["SEQUENCE"])) for _, c, *_ in invites(outbox, customer.email)] == [
        ("REQUEST", 0), ("CANCEL", 1)]


def test_a_requested_session_cancelled_sends_no_calendar(world, outbox):
    customer, ana, bob, client = world
    ticket = make_ticket(customer)
    session = RemoteSession.create(ticket=ticket, requested_by=customer, status="requested")
    assert post(client, f"/staff/sessions/{session.id}/cancel").status_code == 302
    assert invites(outbox) == []


def test_the_ics_download_is_publish_with_the_same_uid_and_an_end(world, login, app):
    customer, ana, bob, client = world
    ticket = make_ticket(customer)
    session = scheduled_session(ticket, ana, starts_at=pacific(next_weekday(10, 2), 10))
    body = login(customer, app.test_client()).get(f"/tickets/{ticket.id}/session.ics").data
    cal = icalendar.Calendar.from_ical(body)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "PUBLISH" and str(event["UID"]) == f"remote-session-{session.id}@localhost"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=30)


# -- time zones ------------------------------------------------------------------------------------

def test_account_page_sets_a_valid_time_zone_only(app, make_user, login):
    customer = make_user(level="PRO")
    client = login(customer)
    assert 'data-time-zone="America/Los_Angeles"' in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/time-zone").get_data(as_text=True)
    assert '<option selected value="America/Los_Angeles">America/Los Angeles</option>' in page
    assert '<option value="Pacific/Auckland">Pacific/Auckland</option>' in page
    bad = post(client, "/account/time-zone", {"time_zone": "Mars/Olympus"}, token_url="/account/")
    assert bad.status_code == 400 and "Choose a time zone from the list" in bad.get_data(as_text=True)
    assert User.get_by_id(customer.id).time_zone == PT
    assert post(client, "/account/time-zone", {"time_zone": "Europe/Berlin"}, token_url="/account/").status_code == 302
    assert User.get_by_id(customer.id).time_zone == "Europe/Berlin"
    assert 'data-time-zone="Europe/Berlin"' in client.get("/account/").get_data(as_text=True)


def test_times_show_in_each_persons_zone_with_pacific_beside(app, world, login, outbox):
    customer, ana, bob, client = world
    User.update(time_zone="Europe/Berlin").where(User.id == customer.id).execute()
    User.update(time_zone="Asia/Tokyo").where(User.id == ana.id).execute()
    ticket = make_ticket(customer)
    day = next_weekday(10, 2)
    assert schedule(client, ticket, ana, day, "10:00").status_code == 302
    start = pacific(day, 10)
    berlin = factories.POLICY.time_text_for(start, "Europe/Berlin")
    assert berlin.endswith("(10:00 PT)") and ("19:00 CET" in berlin or "19:00 CEST" in berlin
                                              or "18:00 CET" in berlin or "18:00 CEST" in berlin)
    page = login(customer, app.test_client()).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert berlin in page
    assert berlin in outbox[-1]["body"] and outbox[-1]["to"] == customer.email
    cal = client.get(f"/staff/sessions?week={day.isoformat()}").get_data(as_text=True)
    assert "10:00–10:30 PT" in cal and " JST" in cal  # the agent's own zone (Tokyo) first, Pacific beside


def test_an_unknown_stored_zone_falls_back_to_pacific():
    assert factories.POLICY.time_text_for(pacific(datetime.date(2031, 3, 18), 9, 30), "Nowhere/City") == \
        "Tue 18 Mar 2031 09:30 PT"


# -- the requester's answer ------------------------------------------------------------------------

def _customer_with_session(app, world, login):
    customer, ana, bob, client = world
    ticket = make_ticket(customer)
    assert schedule(client, ticket, ana, next_weekday(10, 2), "10:00").status_code == 302
    return ticket, RemoteSession.get(), login(customer, app.test_client())


def test_the_requester_confirms_the_time(app, world, login):
    ticket, session, customer_client = _customer_with_session(app, world, login)
    page = customer_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Confirm this time" in page
    token = factories.csrf_token(customer_client, f"/tickets/{ticket.id}")
    response = customer_client.post(f"/tickets/{ticket.id}/session/confirm",
                                    data={"csrf_token": token, "sequence": "0"})
    assert response.status_code == 302 and RemoteSession.get_by_id(session.id).confirmed_at is not None
    assert "You confirmed this time" in customer_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    staff_client = world[3]
    panel = staff_client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert "data-confirmed" in panel and "confirmed " in panel
    assert AuditLog.select().where(AuditLog.action == "session.confirm").count() == 1


def test_a_confirmation_of_a_time_changed_meanwhile_is_refused(app, world, login):
    ticket, session, customer_client = _customer_with_session(app, world, login)
    RemoteSession.update(sequence=1).execute()  # staff moved it after the page was shown
    token = factories.csrf_token(customer_client, f"/tickets/{ticket.id}")
    response = customer_client.post(f"/tickets/{ticket.id}/session/confirm",
                                    data={"csrf_token": token, "sequence": "0"})
    assert response.status_code == 400 and "changed meanwhile" in response.get_data(as_text=True)
    assert RemoteSession.get_by_id(session.id).confirmed_at is None


def test_the_requester_asks_for_another_time_and_staff_see_it(app, world, login):
    ticket, session, customer_client = _customer_with_session(app, world, login)
    url = f"/tickets/{ticket.id}/session/another"
    token = factories.csrf_token(customer_client, f"/tickets/{ticket.id}")
    empty = customer_client.post(url, data={"csrf_token": token, "sequence": "0", "note": " "})
    assert empty.status_code == 400 and "Say which times suit you" in empty.get_data(as_text=True)
    response = customer_client.post(url, data={"csrf_token": token, "sequence": "0",
                                               "note": "Any afternoon next week"},
                                    headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="remote"' in html and "<html" not in html
    assert "Support will propose another time" in html
    fresh = RemoteSession.get_by_id(session.id)
    assert fresh.change_note == "Any afternoon next week" and fresh.change_requested_at is not None
    staff_client = world[3]
    assert "Any afternoon next week" in staff_client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    week = staff_client.get(f"/staff/sessions?week={fresh.starts_at.date().isoformat()}").get_data(as_text=True)
    assert "asks for another time" in week and "Any afternoon next week" in week


def test_a_wish_with_a_password_is_refused(app, world, login):  # policy 8.5
    ticket, session, customer_client = _customer_with_session(app, world, login)
    token = factories.csrf_token(customer_client, f"/tickets/{ticket.id}")
    response = customer_client.post(f"/tickets/{ticket.id}/session/another", data={
        "csrf_token": token, "sequence": "0", "note": "Tuesday is fine, my password is Hunter2-Secret!"})
    assert response.status_code == 400 and "policy 8.5" in response.get_data(as_text=True)
    assert RemoteSession.get_by_id(session.id).change_note == ""


def test_only_the_requester_answers(app, world, login, make_user):
    ticket, session, customer_client = _customer_with_session(app, world, login)
    other = login(make_user(level="PRO"), app.test_client())
    token = factories.csrf_token(other, "/account/")
    response = other.post(f"/tickets/{ticket.id}/session/confirm", data={"csrf_token": token, "sequence": "0"})
    assert response.status_code == 404 and RemoteSession.get_by_id(session.id).confirmed_at is None


# -- the calendar ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "customer", "reseller"])
def test_the_calendar_is_staff_only(app, make_user, login, who):
    client = app.test_client()
    if who != "anonymous":
        login(make_user(role=who) if who == "reseller" else make_user(level="PRO"), client)
    for url in ("/staff/sessions", "/staff/sessions/today", "/staff/sessions?week=2031-03-18"):
        assert client.get(url).status_code == 404


def test_the_week_shows_each_session_on_its_day_with_links_and_neighbour_weeks(world):
    customer, ana, bob, client = world
    monday = next_weekday(10, 0)
    t1, t2, t3 = make_ticket(customer, subject="Black screen"), make_ticket(customer), make_ticket(customer)
    scheduled_session(t1, ana, starts_at=pacific(monday + datetime.timedelta(days=1), 10))
    scheduled_session(t2, bob, starts_at=pacific(monday + datetime.timedelta(days=3), 14))
    scheduled_session(t3, ana, starts_at=pacific(monday + datetime.timedelta(days=7), 9))  # next week
    response = client.get(f"/staff/sessions?week={(monday + datetime.timedelta(days=4)).isoformat()}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'data-week="{monday.isoformat()}"' in html
    days = html.split('class="day card')[1:]
    assert len(days) == 7
    assert f'href="/staff/tickets/{t1.id}"' in days[1] and "10:00–10:30 PT" in days[1] and "Black screen" in days[1]
    assert f'href="/staff/tickets/{t2.id}"' in days[3] and "Bob" in days[3]
    assert f"/staff/tickets/{t3.id}" not in html
    assert f"week={(monday - datetime.timedelta(days=7)).isoformat()}" in html
    assert f"week={(monday + datetime.timedelta(days=7)).isoformat()}" in html


def test_the_agent_filter_keeps_one_agents_sessions_and_travels_with_the_weeks(world):
    customer, ana, bob, client = world
    monday = next_weekday(10, 0)
    t1, t2 = make_ticket(customer), make_ticket(customer)
    scheduled_session(t1, ana, starts_at=pacific(monday, 10))
    scheduled_session(t2, bob, starts_at=pacific(monday, 11))
    html = client.get(f"/staff/sessions?week={monday.isoformat()}&agent={bob.id}").get_data(as_text=True)
    assert f"/staff/tickets/{t2.id}" in html and f"/staff/tickets/{t1.id}" not in html
    assert f"agent={bob.id}" in html.split('aria-label="Weeks"')[1]
    unknown = client.get(f"/staff/sessions?week={monday.isoformat()}&agent=999999").get_data(as_text=True)
    assert f"/staff/tickets/{t1.id}" in unknown and f"/staff/tickets/{t2.id}" in unknown  # every agent
    bad_week = client.get("/staff/sessions?week=not-a-date")
    assert bad_week.status_code == 200


def test_todays_sessions_load_on_the_queue_page(world):
    customer, ana, bob, client = world
    today = factories.POLICY.local_date(utcnow())
    ticket = make_ticket(customer, subject="Today's session")
    scheduled_session(ticket, ana, starts_at=pacific(today, 12))
    queue = client.get("/staff/queue").get_data(as_text=True)
    assert 'hx-get="/staff/sessions/today"' in queue and 'href="/staff/sessions"' in queue
    fragment = client.get("/staff/sessions/today", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and f"/staff/tickets/{ticket.id}" in html
    assert client.get("/staff/sessions/today").status_code == 302  # without htmx: the calendar


def test_the_staff_nav_links_the_calendar(world):
    assert 'href="/staff/sessions">Sessions</a>' in world[3].get("/staff/queue").get_data(as_text=True)
