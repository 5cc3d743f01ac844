"""Every notification of issue 14 reaches the right people with the right facts, in each reader's
time zone; preferences and partner members' choices stop them; copies go to participants; the
signed one-click unsubscribe link works without a login (RFC 8058) and refuses a tampered token."""
import dataclasses
import datetime
import re

import pytest

from portal.models import MailPreference, TicketParticipant, User
from portal.services import bugs, get_policy, mail_prefs, partner_invites, runtime, sessions, tickets
from portal.models import Bug
from portal.policy import date_text
from tests.factories import counting_queries, csrf_token, make_partner, make_ticket, make_user

EVERY_KIND_ON = {kind: True for kind in mail_prefs.KINDS}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


@pytest.fixture
def calls(ctx, monkeypatch):
    """What the services handed send_template (the outbox contract: kind, ticket, auto, headers)."""
    rt, seen = runtime.current(), []
    original = rt.send_template

    def spy(to, template, **kwargs):
        seen.append({"to": to, "template": template, **kwargs})
        return original(to, template, **kwargs)
    monkeypatch.setattr(rt, "send_template", spy)
    return seen


def _to(outbox):
    return sorted(m["to"] for m in outbox)


def _next_weekday(days_ahead=10, weekday=1):
    day = datetime.date.today() + datetime.timedelta(days=days_ahead)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def test_ticket_received_names_number_level_and_due_in_the_readers_zone(ctx, outbox):  # policy 2.1, 1.5
    customer = make_user(level="PRO", time_zone="Europe/Berlin")
    ticket = tickets.create_ticket(customer, "Remote Utilities", "", "Viewer cannot connect",
                                   "It does not connect after the update.", accept_policy=True)
    [mail] = outbox
    assert mail["to"] == customer.email and f"#{ticket.id}" in mail["subject"]
    due = get_policy().time_text_for(ticket.due_at, "Europe/Berlin")
    # Berlin time, Pacific beside it (with its weekday when Pacific's day is another: after midnight in Berlin)
    assert re.search(r"\d\d:\d\d CES?T \((?:[A-Z][a-z]{2} )?\d\d:\d\d P[SD]?T\)", due)
    assert f"First response due by: {due}" in mail["body"]
    assert "Support level: Pro" in mail["body"] and f"/tickets/{ticket.id}" in mail["body"]


def test_staff_reply_goes_to_requester_and_participants_with_their_own_unsubscribe_link(ctx, outbox):
    partner, (manager, member) = make_partner(members=1)
    ticket = make_ticket(member, partner=partner)
    TicketParticipant.create(ticket=ticket, user=manager)
    tickets.add_reply(ticket, make_user(role="staff"), "Please send the log file.")
    assert _to(outbox) == sorted([manager.email, member.email])
    for mail in outbox:
        assert "Please send the log file." in mail["body"]
        token = re.search(r"/account/unsubscribe/(\S+)", mail["body"]).group(1)
        user, kind = mail_prefs.read_token(token)
        assert (user.email, kind) == (mail["to"], "staff_reply")


def test_partner_members_hear_as_they_chose(ctx, outbox):  # policy 3.1 Decision (visibility "all")
    partner, (manager, filer, everything, nothing) = make_partner(members=3)
    User.update(partner_mail="all").where(User.id == everything.id).execute()
    User.update(partner_mail="none").where(User.id.in_([nothing.id, filer.id])).execute()
    ticket = make_ticket(filer, partner=partner)
    other_partner_ticket = make_ticket(make_partner()[1][0], partner=make_partner()[0])
    tickets.add_reply(ticket, make_user(role="staff"), "We are on it.")
    # "mine" (the manager, by default) does not hear of a colleague's ticket; "all" does; "none"
    # hears nothing, not even of the ticket they filed
    assert _to(outbox) == [everything.email]
    outbox.clear()
    tickets.add_reply(other_partner_ticket, make_user(role="staff"), "Hello.")
    assert everything.email not in _to(outbox)  # never another partner's ticket


def test_all_follows_the_partner_visibility_decision(ctx, outbox, monkeypatch):  # policy 3.1
    policy = get_policy()
    monkeypatch.setattr(policy, "partners", dataclasses.replace(policy.partners, visibility="managers"))
    partner, (manager, filer, member) = make_partner(members=2)
    User.update(partner_mail="all").where(User.id.in_([manager.id, member.id])).execute()
    ticket = make_ticket(filer, partner=partner)
    assert [u.email for u in mail_prefs.recipients(ticket, "staff_reply")] == sorted([manager.email, filer.email])
    assert not mail_prefs.wants(User.get_by_id(member.id), "staff_reply", ticket)


def test_recipients_is_one_query(ctx):
    partner, (manager, filer, member) = make_partner(members=2)
    ticket = make_ticket(filer, partner=partner)
    TicketParticipant.create(ticket=ticket, user=member)
    with counting_queries() as seen:
        people = mail_prefs.recipients(ticket, "session")
    assert [p.email for p in people] == sorted([filer.email, member.email]) and len(seen) == 1


def test_waiting_and_solved_are_mailed_when_staff_set_them(ctx, outbox):
    customer, staff = make_user(level="PRO"), make_user(role="staff")
    ticket = make_ticket(customer)
    tickets.set_status(ticket, staff, "waiting")
    tickets.set_status(ticket, staff, "solved")
    assert [m["subject"] for m in outbox] == [f"[Ticket #{ticket.id}] Waiting for your answer: {ticket.subject}",
                                             f"[Ticket #{ticket.id}] Solved: {ticket.subject}"]
    assert "reply on the ticket and it opens again" in outbox[1]["body"]
    outbox.clear()
    tickets.set_status(ticket, customer, "closed")  # the customer's own change tells them nothing
    tickets.set_status(ticket, staff, "solved")
    tickets.set_status(ticket, staff, "solved")  # no change, no second mail
    assert len(outbox) == 1


def test_preferences_stop_one_kind_and_keep_the_others(ctx, outbox):
    customer, staff = make_user(level="PRO"), make_user(role="staff")
    mail_prefs.save(customer, EVERY_KIND_ON | {"staff_reply": False})
    ticket = make_ticket(customer)
    tickets.add_reply(ticket, staff, "A reply nobody is mailed.")
    assert outbox == [] and not mail_prefs.wants(customer, "staff_reply", ticket)
    tickets.set_status(ticket, staff, "solved")
    assert [m["to"] for m in outbox] == [customer.email]
    assert mail_prefs.choices(customer) == EVERY_KIND_ON | {"staff_reply": False}


def test_session_mail_in_each_readers_zone_and_stopped_by_preference(ctx, outbox):  # policy 8.1, 1.5
    customer = make_user(level="PRO", time_zone="Asia/Tokyo")
    agent = make_user(role="staff")
    ticket = make_ticket(customer)
    session = sessions.schedule(ticket.id, agent, agent.id, _next_weekday(), datetime.time(10, 0))
    [mail] = outbox
    assert get_policy().time_text_for(session.starts_at, "Asia/Tokyo") in mail["subject"]
    assert "JST" in mail["subject"] and mail["attachments"][0][0] == "invite.ics"
    outbox.clear()
    mail_prefs.save(customer, EVERY_KIND_ON | {"session": False})
    sessions.reschedule(session.id, agent, agent.id, _next_weekday(), datetime.time(11, 0))
    sessions.cancel(session.id, agent)
    assert outbox == []


def test_bug_news_says_eta_workaround_and_fixed_in(ctx, outbox):  # policy 5.2, 5.3
    customer, staff = make_user(level="PRO", time_zone="Europe/Berlin"), make_user(role="staff")
    bug = Bug.create(title="Viewer freezes on monitor switch", workaround="Use one monitor.")
    ticket = make_ticket(customer, bug=bug)
    eta = datetime.date.today() + datetime.timedelta(days=30)
    fields = dict(title=bug.title, status="open", eta=eta, workaround="Use one monitor.", fixed_in="")
    bugs.update(bug.id, staff, bugs.BugFields(**fields))
    [mail] = outbox
    assert mail["to"] == customer.email and "Bug update: Viewer freezes" in mail["subject"]
    assert f"ETA of the fix: {date_text(eta)}\n" in mail["body"]
    assert "Use one monitor." in mail["body"]
    outbox.clear()
    bugs.update(bug.id, staff, bugs.BugFields(**fields | {"status": "fixed", "fixed_in": "8.1.0.3"}))
    [mail] = outbox
    assert "Fixed in 8.1.0.3" in mail["subject"] and "fixed in version 8.1.0.3" in mail["body"]


def test_send_template_gets_kind_ticket_auto_and_rfc8058_headers(ctx, calls):
    """A staff reply is written by a person (auto False: the reader's autoresponder may answer)."""
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    tickets.add_reply(ticket, make_user(role="staff"), "Hello there.")
    [call] = calls
    assert call["kind"] == "staff_reply" and call["ticket"].id == ticket.id and call["auto"] is False
    assert call["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://localhost/account/unsubscribe/\S+)>", call["headers"]["List-Unsubscribe"]).group(1)
    assert url == mail_prefs.unsubscribe_url(customer, "staff_reply")


def test_partner_invites_have_a_kind_and_no_unsubscribe(ctx, calls):
    partner, (manager,) = make_partner()
    partner_invites.invite(manager, "colleague@example.test", "member")
    [call] = calls
    assert call["kind"] == "partner_invite" and not call.get("headers")
    assert mail_prefs.wants(manager, "partner_invite", None)


def _mailed_link(app, outbox):
    with app.test_request_context():
        customer = make_user(level="PRO")
        tickets.add_reply(make_ticket(customer), make_user(role="staff"), "Hello there.")
    return customer, re.search(r"http://localhost(/account/unsubscribe/\S+)", outbox[-1]["body"]).group(1)


def test_unsubscribe_round_trip_without_login_is_idempotent(app, outbox):  # RFC 8058
    customer, path = _mailed_link(app, outbox)
    client = app.test_client()  # no session, no CSRF token: a mail client
    page = client.get(path)
    assert page.status_code == 200 and b"Stop these mails?" in page.data and b"<button" in page.data
    with app.app_context():
        assert MailPreference.select().count() == 0  # GET changes nothing (link scanners)
    for _ in range(2):
        done = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and b'data-unsubscribed="staff_reply"' in done.data
    with app.app_context():
        rows = list(MailPreference.select().dicts())
        assert [(r["user"], r["kind"], r["enabled"]) for r in rows] == [(customer.id, "staff_reply", False)]
    outbox.clear()
    with app.test_request_context():
        tickets.add_reply(make_ticket(customer), make_user(role="staff"), "Not mailed.")
    assert outbox == []


@pytest.mark.parametrize("spoil", [lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],
                                   lambda t: "x" + t, lambda t: "nonsense"])
def test_a_tampered_token_is_refused_with_a_reason(app, outbox, spoil):
    customer, path = _mailed_link(app, outbox)
    bad = "/account/unsubscribe/" + spoil(path.rsplit("/", 1)[1])
    client = app.test_client()
    for response in (client.get(bad), client.post(bad)):
        assert response.status_code == 400 and b"damaged or was not made by this portal" in response.data
    with app.app_context():
        assert MailPreference.select().count() == 0


def test_a_token_signed_with_another_salt_is_refused(ctx):
    from itsdangerous import URLSafeSerializer
    other = URLSafeSerializer(ctx.config["SECRET_KEY"], salt="portal-partner-invite").dumps({"u": 1, "k": "staff_reply"})
    with pytest.raises(Exception) as refused:
        mail_prefs.read_token(other)
    assert refused.value.errors == {"token": mail_prefs.BAD_TOKEN}


# -- the account page ----------------------------------------------------------------------------
def test_account_page_saves_each_kind(app, make_user, login):
    customer = make_user(level="PRO")
    client = login(customer)
    page = client.get("/account/").get_data(as_text=True)
    assert "Mails you get" in page and 'name="partner_mail"' not in page
    for kind in mail_prefs.KINDS:
        assert re.search(rf'<input[^>]*checked[^>]*name="{kind}"|<input[^>]*name="{kind}"[^>]*checked', page)
    data = {kind: "y" for kind in mail_prefs.KINDS if kind not in ("bug_news", "session")}
    response = client.post("/account/mail", data=data | {"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302
    with app.app_context():
        assert mail_prefs.choices(customer) == EVERY_KIND_ON | {"bug_news": False, "session": False}
    page = client.get("/account/").get_data(as_text=True)
    assert not re.search(r'<input[^>]*checked[^>]*name="session"|<input[^>]*name="session"[^>]*checked', page)


def test_partner_member_chooses_which_tickets(app, login):
    with app.app_context():
        partner, (manager, member) = make_partner(members=1)
    client = login(member)
    assert 'name="partner_mail"' in client.get("/account/").get_data(as_text=True)
    token = csrf_token(client, "/account/")
    refused = client.post("/account/mail", data={"partner_mail": "everyone", "csrf_token": token})
    assert refused.status_code == 400
    with app.app_context():
        assert User.get_by_id(member.id).partner_mail == "mine"
    assert client.post("/account/mail", data={"partner_mail": "all", "staff_reply": "y",
                                              "csrf_token": token}).status_code == 302
    with app.app_context():
        assert User.get_by_id(member.id).partner_mail == "all"
        assert mail_prefs.choices(member)["staff_reply"] and not mail_prefs.choices(member)["session"]


def test_a_customer_cannot_set_a_partner_choice(app, make_user, login):
    customer = make_user(level="PRO")
    client = login(customer)
    client.post("/account/mail", data={"partner_mail": "all", "csrf_token": csrf_token(client, "/account/")})
    with app.app_context():
        assert User.get_by_id(customer.id).partner_mail == "mine"


@pytest.mark.parametrize("kind", ["staff_reply", "session"])
def test_wants_and_recipients_agree(ctx, kind):
    """The one query and the per-person check give the same people (preferences, choices, roles)."""
    partner, people = make_partner(managers=2, members=3)
    filer, follower, everything, nothing, plain = people
    User.update(partner_mail="all").where(User.id == everything.id).execute()
    User.update(partner_mail="none").where(User.id == nothing.id).execute()
    ticket = make_ticket(filer, partner=partner)
    TicketParticipant.create(ticket=ticket, user=follower)
    mail_prefs.save(User.get_by_id(follower.id), EVERY_KIND_ON | {kind: False})
    outsider, inactive = make_user(level="PRO"), make_user(level="PRO", is_active_account=False)
    TicketParticipant.create(ticket=ticket, user=inactive)
    everyone = [User.get_by_id(u.id) for u in (*people, outsider, inactive)]
    mailed = {u.email for u in mail_prefs.recipients(ticket, kind)}
    assert mailed == {u.email for u in everyone if mail_prefs.wants(u, kind, ticket)}
    assert mailed == {filer.email, everything.email}
