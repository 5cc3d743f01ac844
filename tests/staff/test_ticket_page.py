"""The one staff ticket page (issue 13): conversation with every file, the reply with files, canned
replies with placeholders and "send and set status", the requester panel, the optimistic reply
check, taking over another agent's ticket, and one page per ticket for staff."""
import io
import re

import pytest

from portal.models import Attachment, AttachmentBlob, AuditLog, CannedReply, Message, Ticket
from portal.services import assign, attachments, canned, tickets
from tests.factories import counting_queries, csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HX = {"HX-Request": "true"}


def _page(client, ticket):
    return client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)


def _seen(html):
    """The revision and last message the page's reply form carries."""
    revision = re.search(r'id="reply-revision" value="(\d+)"', html).group(1)
    seen = re.search(r'id="reply-seen" value="(\d+)"', html).group(1)
    return {"revision": revision, "seen": seen}


def _reply(client, ticket, data, files=None, headers=None, page=None):
    html = page or _page(client, ticket)
    form = _seen(html) | {"csrf_token": csrf_token(client, f"/staff/tickets/{ticket.id}")} | data
    if files:
        form["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/staff/tickets/{ticket.id}/reply", data=form, headers=headers or {},
                       content_type="multipart/form-data")


def _post(client, ticket, action, data=None, headers=None):
    token = csrf_token(client, f"/staff/tickets/{ticket.id}")
    return client.post(f"/staff/tickets/{ticket.id}/{action}", data=(data or {}) | {"csrf_token": token},
                       headers=headers or {})


@pytest.fixture
def agent(make_user):
    return make_user(role="staff", display_name="Ann")


# -- conversation first, every file listed and downloadable ---------------------------------------

def test_the_conversation_comes_first_with_every_attachment_downloadable(app, client, make_user, login, agent):
    customer = make_user(level="PRO", display_name="Carla")
    login(customer)
    token = csrf_token(client, "/tickets/new")
    client.post("/tickets/new", data={"product": "Remote Utilities", "subject": "Crash on start",
                                      "body": "It crashes, the log is attached.", "accept_policy": "1",
                                      "csrf_token": token, "files": [(io.BytesIO(b"line 1\nline 2\n"), "host.log"),
                                                                     (io.BytesIO(PNG), "screen.png")]},
                content_type="multipart/form-data")
    ticket = Ticket.get(Ticket.subject == "Crash on start")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    login(agent)
    html = _page(client, ticket)
    assert html.index('id="conv-h"') < html.index('aria-label="Assignment"')  # conversation before the panels
    assert html.index('id="conv-h"') < html.index('id="ticket-panels"')
    files = list(Attachment.select().where(Attachment.ticket == ticket).order_by(Attachment.id))
    assert [a.filename for a in files] == ["host.log", "screen.png"]
    for att in files:
        assert f'data-attachment="{att.id}"' in html and att.filename in html
        got = client.get(f"/tickets/{ticket.id}/attachments/{att.id}")  # staff download it too
        assert got.status_code == 200
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in got.headers["Content-Security-Policy"]
    assert client.get(f"/tickets/{ticket.id}/attachments/{files[0].id}").data == b"line 1\nline 2\n"


def test_internal_notes_are_set_apart(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"))
    Message.create(ticket=ticket, author=agent, body="Seen this before", internal=True)
    login(agent)
    html = _page(client, ticket)
    note = re.search(r'<article class="msg staff internal"[^>]*data-internal="true">', html)
    assert note and "Internal note — staff only" in html


# -- the reply box: files, and send and set status in one step ------------------------------------

def test_a_reply_with_a_file_and_a_status_is_one_action(app, client, make_user, login, make_ticket, agent, outbox):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    login(agent)
    response = _reply(client, ticket, {"body": "Here is the fixed build.", "status": "solved"},
                      files=[("fix.zip", b"PK\x03\x04" + b"\x00" * 20)])
    assert response.status_code == 302 and "#m" in response.headers["Location"]
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.status == "solved" and fresh.revision == 2  # the reply and the status change
    message = Message.select().where(Message.ticket == ticket).order_by(Message.id.desc()).first()
    assert message.body == "Here is the fixed build." and [a.filename for a in message.attachments] == ["fix.zip"]
    with app.app_context():
        assert attachments.read_bytes(message.attachments[0]).startswith(b"PK")
    actions = [a.action for a in AuditLog.select().where(AuditLog.object_id == str(ticket.id)).order_by(AuditLog.id)]
    assert actions == ["reply", "status"]
    assert outbox[-1]["to"] == customer.email
    assert f'data-attachment="{message.attachments[0].id}"' in _page(client, ticket)


def test_the_default_is_waiting_and_a_closed_ticket_stays_closed(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    html = _page(client, ticket)
    assert re.search(r'id="f-reply-status"[^>]*>\s*<option value="">[^<]*</option>\s*<option value="open">open</option>\s*<option selected value="waiting">', html)
    assert _reply(client, ticket, {"body": "Try this."}).status_code == 302
    assert Ticket.get_by_id(ticket.id).status == "waiting"
    closed = make_ticket(make_user(level="PRO"), status="closed")
    assert _reply(client, closed, {"body": "For the record.", "status": ""}).status_code == 302
    assert Ticket.get_by_id(closed.id).status == "closed"


@pytest.mark.parametrize("store", ["database", "disk"])
def test_send_and_set_status_is_atomic(app, client, make_user, login, make_ticket, agent, outbox, monkeypatch, store):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    page = _page(client, ticket)
    app.config["ATTACHMENT_STORE"] = store
    with app.app_context():
        before = set(attachments.upload_dir().iterdir())

    def broken(*args, **kwargs):
        raise RuntimeError("status write failed")
    monkeypatch.setattr(tickets, "set_status", broken)
    with pytest.raises(RuntimeError):
        _reply(client, ticket, {"body": "This should not be stored.", "status": "solved"},
               files=[("a.txt", b"hello")], page=page)
    assert not Message.select().where(Message.body == "This should not be stored.").exists()
    assert Ticket.get_by_id(ticket.id).status == "open" and Ticket.get_by_id(ticket.id).revision == 0
    with app.app_context():
        assert set(attachments.upload_dir().iterdir()) == before  # the file went with the rows
    assert not AttachmentBlob.select().exists()
    assert not AuditLog.select().where(AuditLog.action == "reply").exists() and outbox == []


def test_a_bad_file_is_refused_beside_the_field_and_nothing_is_sent(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    response = _reply(client, ticket, {"body": "See the picture."}, files=[("shot.png", b"not a png")])
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="e-files"' in html and "does not match a .png file" in html
    assert "See the picture." in html  # what was typed is kept
    assert Message.select().where(Message.ticket == ticket).count() == 1


def test_htmx_reply_reloads_the_page_and_a_refusal_swaps_the_form(app, client, make_user, login, make_ticket,
                                                                        agent):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    sent = _reply(client, ticket, {"body": "Sent with htmx."}, headers=HX)
    assert sent.status_code == 200 and sent.headers["HX-Refresh"] == "true"  # the page loads again, flash and all
    empty = _reply(client, ticket, {"body": " "}, headers=HX)
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400 and empty.headers["HX-Retarget"] == "#reply-form"
    assert html.lstrip().startswith("<form") and 'id="e-body"' in html and "<html" not in html


# -- the requester panel ---------------------------------------------------------------------------

def _requester_with_history(make_user, make_ticket, opened, closed):
    customer = make_user(level="PRO", display_name="Carla")
    ticket = make_ticket(customer, subject="The one we work on")
    others = [make_ticket(customer, subject=f"Open one {i}") for i in range(opened)]
    done = [make_ticket(customer, subject=f"Done one {i}", status="closed") for i in range(closed)]
    return customer, ticket, others, done


def test_the_requester_panel_names_level_license_and_other_tickets(app, client, make_user, login, make_ticket, agent):
    customer, ticket, others, done = _requester_with_history(make_user, make_ticket, 2, 1)
    Ticket.update(level="PLUS", level_reason="PLUS: license RUPLU-...-0001 was current").where(
        Ticket.id == ticket.id).execute()
    unrelated = make_ticket(make_user(level="PRO"), subject="Someone else's")
    login(agent)
    html = _page(client, ticket)
    panel = html[html.index('aria-labelledby="requester-h"'):html.index("</section>", html.index('aria-labelledby="requester-h"'))]
    assert "Carla" in panel and customer.email in panel
    assert "PLUS: license RUPLU-...-0001 was current" in panel  # the ticket's level and why
    assert 'data-account-level="PRO"' in panel  # the account's level now differs
    assert "PRO" in panel and "current" in panel and "<code>...-" in panel  # the license, masked
    for other in others:
        assert f'href="/staff/tickets/{other.id}"' in panel
    assert f'href="/staff/tickets/{done[0].id}"' in panel
    assert f'href="/staff/tickets/{ticket.id}"' not in panel and unrelated.subject not in panel


def test_the_requester_panel_costs_the_same_however_many_tickets(app, client, make_user, login, make_ticket, agent):
    login(agent)
    _page(client, make_ticket(make_user(level="PRO")))  # the first view seeds the canned replies
    costs = {}
    for n in (1, 8):
        _, ticket, _, _ = _requester_with_history(make_user, make_ticket, n, n)
        with counting_queries() as seen:
            html = _page(client, ticket)
        assert html.count('class="other-tickets"') == 2
        costs[n] = len(seen)
    assert costs[1] == costs[8], costs


def test_a_partner_ticket_keeps_its_partner_block(app, client, make_user, login, make_ticket, agent):
    from tests.factories import make_partner
    with app.app_context():
        partner, (manager,) = make_partner(name="Northwind IT")
    ticket = make_ticket(manager, partner=partner, end_customer_company="Fabrikam")
    login(agent)
    html = _page(client, ticket)
    assert f'data-partner="{partner.number}"' in html and "Fabrikam" in html and 'aria-labelledby="requester-h"' in html


# -- canned replies with placeholders -------------------------------------------------------------

def test_fill_replaces_the_placeholders_and_leaves_everything_else_as_typed():
    values = {"requester_name": "Carla {level}", "ticket_id": "42", "level": "PRO",
              "first_response_due": "Tue 1 Dec 2026 10:30 PT", "agent_name": "Ann"}
    text = "Hi {requester_name}, #{ticket_id} ({level}) is due {first_response_due}. {agent_name}"
    assert canned.fill(text, values) == "Hi Carla {level}, #42 (PRO) is due Tue 1 Dec 2026 10:30 PT. Ann"
    hostile = ("{x.__class__} {requester_name.__class__.__mro__} {0} {level!r} {level:>40} {} {ticket_id[0]} "
               "{unknown} { } } { {{level}} {__import__}")
    assert canned.fill(hostile, values) == hostile.replace("{{level}}", "{PRO}")
    assert canned.fill("{", values) == "{" and canned.fill("}", values) == "}" and canned.fill("", values) == ""


def test_picking_a_canned_reply_fills_it_in_before_sending(app, client, make_user, login, make_ticket, agent):
    customer = make_user(level="PRO", display_name="Carla")
    ticket = make_ticket(customer)
    login(agent)
    canned.all_replies  # noqa: B018 (seeded by the first page view)
    _page(client, ticket)
    CannedReply.create(key="hello", title="Hello",
                       body="Hello {requester_name}, ticket #{ticket_id} ({level}) is due {first_response_due}. "
                            "{agent_name} {x.__class__} {nope}")
    due = app.extensions["runtime"].policy.time_text(ticket.due_at)
    want = f"Hello Carla, ticket #{ticket.id} (PRO) is due {due}. Ann {{x.__class__}} {{nope}}"
    page = client.get(f"/staff/tickets/{ticket.id}?canned=hello").get_data(as_text=True)  # without JavaScript
    assert want.replace("{", "{") in _textarea(page)
    fragment = client.get(f"/staff/tickets/{ticket.id}", query_string={"canned": "hello", "revision": "0", "seen": "1"},
                          headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and _textarea(fragment) == want
    assert Message.select().where(Message.ticket == ticket).count() == 1  # nothing sent yet


def _textarea(html):
    import html as htmllib
    return htmllib.unescape(re.search(r'<textarea[^>]*id="f-body"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1))


def test_the_canned_editor_names_the_placeholders(app, client, make_user, login):
    login(make_user(role="admin"))
    html = client.get("/staff/canned").get_data(as_text=True)
    for name in canned.PLACEHOLDERS:
        assert "{" + name + "}" in html


# -- the optimistic reply check --------------------------------------------------------------------

def test_a_reply_after_the_customer_wrote_is_held_with_the_new_message(app, make_user, login, make_ticket, agent,
                                                                        outbox):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    staff = login(agent, app.test_client())
    page = _page(staff, ticket)
    with app.app_context():
        tickets.add_reply(Ticket.get_by_id(ticket.id), customer, "Never mind, it works now!")
    held = _reply(staff, ticket, {"body": "Please try 8.1.0.3.", "status": "waiting"}, page=page)
    html = held.get_data(as_text=True)
    assert held.status_code == 409 and "data-held" in html and "Send anyway" in html
    assert "Never mind, it works now!" in html[html.index("data-held"):]  # the new message shown in the notice
    assert "Please try 8.1.0.3." in _textarea(html)  # the text kept for editing
    assert not Message.select().where(Message.body == "Please try 8.1.0.3.").exists() and outbox == []
    # "Send anyway" resubmits with the revision the held page carries
    sent = _reply(staff, ticket, {"body": "Please try 8.1.0.3.", "anyway": "1"}, page=html)
    assert sent.status_code == 302 and Message.select().where(Message.body == "Please try 8.1.0.3.").exists()


def test_a_status_change_by_another_agent_holds_the_reply_and_a_note_does_not(app, make_user, login, make_ticket,
                                                                                agent):
    bob = make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"))
    staff = login(agent, app.test_client())
    page = _page(staff, ticket)
    with app.app_context():
        assign.respond(Ticket.get_by_id(ticket.id), bob, "Internal: looks like bug 12", internal=True)
    assert _reply(staff, ticket, {"body": "First answer."}, page=page).status_code == 302  # a note holds nothing
    page = _page(staff, ticket)
    with app.app_context():
        assign.change_status(Ticket.get_by_id(ticket.id), bob, "solved")
    held = _reply(staff, ticket, {"body": "Second answer."}, page=page)
    assert held.status_code == 409 and 'data-held-status="solved"' in held.get_data(as_text=True)


def test_htmx_hold_keeps_the_form_and_moves_its_revision_on(app, make_user, login, make_ticket, agent):
    customer = make_user(level="PRO")
    ticket = make_ticket(customer)
    staff = login(agent, app.test_client())
    page = _page(staff, ticket)
    with app.app_context():
        tickets.add_reply(Ticket.get_by_id(ticket.id), customer, "One more thing.")
    held = _reply(staff, ticket, {"body": "Answer."}, headers=HX, page=page)
    html = held.get_data(as_text=True)
    assert held.status_code == 409 and html.lstrip().startswith('<div class="notice warn held"')
    assert "One more thing." in html and "<textarea" not in html  # the form (and its files) stays
    revision = Ticket.get_by_id(ticket.id).revision
    assert f'id="reply-revision" value="{revision}" hx-swap-oob="true"' in html


def test_the_agents_own_status_change_moves_the_reply_form_on(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    seen = _seen(_page(client, ticket))
    changed = _post(client, ticket, "status", {"status": "solved", "revision": seen["revision"]}, headers=HX)
    assert f'id="reply-revision" value="{int(seen["revision"]) + 1}" hx-swap-oob="true"' in changed.get_data(as_text=True)


# -- assignment: nobody preselected, taking over asks and tells --------------------------------------

def test_the_assign_select_preselects_nobody(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"), assignee=agent)
    login(agent)
    html = _page(client, ticket)
    select = re.search(r'<select[^>]*id="f-agent"[^>]*>(.*?)</select>', html, re.S)
    assert "required" in select.group(0)
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert 'value=""' in options[0] and "Choose an agent" in select.group(1)
    assert not any("selected" in option for option in options[1:])  # the blank one, if any, is chosen
    refused = _post(client, ticket, "assign", {"agent": ""})
    assert refused.status_code == 400 and b"Choose a member of staff" in refused.data


def test_taking_over_another_agents_ticket_asks_then_mails_them(app, client, make_user, login, make_ticket, agent,
                                                                 outbox):
    bob = make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"), assignee=bob)
    login(agent)
    asked = _post(client, ticket, "assign", {"agent": agent.id})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "Bob holds this ticket. Take it over?" in html
    assert f'name="holder" value="{bob.id}"' in html and "Take it over" in html
    assert Ticket.get_by_id(ticket.id).assignee_id == bob.id and outbox == []
    done = _post(client, ticket, "assign", {"agent": agent.id, "holder": bob.id})
    assert done.status_code == 302 and Ticket.get_by_id(ticket.id).assignee_id == agent.id
    assert outbox[-1]["to"] == bob.email and "Ann took over ticket" in outbox[-1]["body"]
    entry = AuditLog.select().where(AuditLog.action == "assign").order_by(AuditLog.id.desc()).first()
    assert f"taken over from {bob.email}" in entry.detail


def test_unassigning_another_agents_ticket_asks_then_mails_them(app, client, make_user, login, make_ticket, agent,
                                                                 outbox):
    bob = make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"), assignee=bob)
    login(agent)
    asked = _post(client, ticket, "unassign", headers=HX)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and html.lstrip().startswith('<section class="card assignment"')
    assert 'data-confirm="unassign"' in html and Ticket.get_by_id(ticket.id).assignee_id == bob.id
    assert _post(client, ticket, "unassign", {"holder": bob.id}, headers=HX).status_code == 200
    assert Ticket.get_by_id(ticket.id).assignee_id is None
    assert outbox[-1]["to"] == bob.email and "unassigned you" in outbox[-1]["body"]


def test_a_confirmation_for_one_holder_does_not_take_it_from_another(app, client, make_user, login, make_ticket,
                                                                      agent, outbox):
    bob, cleo = make_user(role="staff", display_name="Bob"), make_user(role="staff", display_name="Cleo")
    ticket = make_ticket(make_user(level="PRO"), assignee=cleo)  # Cleo took it after Ann saw Bob's name
    login(agent)
    again = _post(client, ticket, "assign", {"agent": agent.id, "holder": bob.id})
    assert again.status_code == 409 and b"Cleo holds this ticket" in again.data
    assert Ticket.get_by_id(ticket.id).assignee_id == cleo.id and outbox == []


def test_own_and_unassigned_tickets_need_no_confirmation(app, client, make_user, login, make_ticket, agent, outbox):
    bob = make_user(role="staff", display_name="Bob")
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    assert _post(client, ticket, "assign", {"agent": bob.id}).status_code == 302  # nobody held it
    mine = make_ticket(make_user(level="PRO"), assignee=agent)
    assert _post(client, mine, "assign", {"agent": bob.id}).status_code == 302  # my own
    assert _post(client, mine, "assign", {"agent": bob.id}).status_code == 302  # already Bob's: no change
    assert outbox == []
    assert _post(client, ticket, "claim").status_code == 409  # a claim only takes an unassigned ticket


# -- one page per ticket for staff -----------------------------------------------------------------

def test_staff_opening_the_customer_page_land_on_the_staff_page(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    response = client.get(f"/tickets/{ticket.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/staff/tickets/{ticket.id}"
    assert client.get("/tickets/999999").status_code == 404


def test_the_panels_page_is_the_ticket_page_and_its_fragment_stays(app, client, make_user, login, make_ticket, agent):
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    plain = client.get(f"/staff/tickets/{ticket.id}/ops")
    assert plain.status_code == 302 and plain.headers["Location"].startswith(f"/staff/tickets/{ticket.id}#")
    fragment = client.get(f"/staff/tickets/{ticket.id}/ops", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="ticket-panels"') and "<html" not in fragment


def test_the_services_file_refusal_stays_on_the_files_field(app, make_user, make_ticket, agent):
    from portal.services.errors import ServiceError
    ticket = make_ticket(make_user(level="PRO"))
    with app.app_context(), pytest.raises(ServiceError) as refused:
        assign.respond(Ticket.get_by_id(ticket.id), agent, "See the file.",
                       files=[attachments.Incoming("evil.exe", b"MZ")], status="solved")
    assert set(refused.value.errors) == {"files"} and Ticket.get_by_id(ticket.id).status == "open"


def test_giving_another_agents_ticket_to_a_third_tells_the_holder_who_has_it(app, client, make_user, login,
                                                                              make_ticket, agent, outbox):
    bob, cleo = make_user(role="staff", display_name="Bob"), make_user(role="staff", display_name="Cleo")
    ticket = make_ticket(make_user(level="PRO"), assignee=bob, subject="Printer driver")
    login(agent)
    assert _post(client, ticket, "assign", {"agent": cleo.id}).status_code == 409
    assert _post(client, ticket, "assign", {"agent": cleo.id, "holder": bob.id}).status_code == 302
    assert Ticket.get_by_id(ticket.id).assignee_id == cleo.id
    (mail,) = outbox
    assert mail["to"] == bob.email and f"[Ticket #{ticket.id}] taken over by Cleo" in mail["subject"]
    assert 'Ann gave ticket' in mail["body"] and "Printer driver" in mail["body"] and "to Cleo" in mail["body"]
    assert f"/staff/tickets/{ticket.id}" in mail["body"]
