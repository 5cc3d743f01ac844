"""The staff ticket page kept per worker for what it shows (portal/web/fragments.py, LazyForms):
the same HTML as an app that keeps nothing, after every kind of change, and no form built when
every piece is kept."""
import datetime
import re


from portal.db import utcnow
from portal.models import (Attachment, Bug, CannedReply, Credential, CredentialView, License, Message, RemoteSession,
                           Ticket, User)
from portal.web.fragments import cache_for
from tests import factories





def test_staff_ticket_page_is_the_same_html_with_and_without_the_cache_and_follows_every_change(app, uncached,
                                                                                               monkeypatch):
    from portal.services import kept as kept_lists
    seconds = [1000.0]  # the reference lists' clock: each change lets their kept copies age out
    monkeypatch.setattr(kept_lists, "_seconds", lambda: seconds[0])
    with app.app_context():
        agent = factories.make_user(role="staff", display_name="Ann Agent")
        other = factories.make_user(role="staff", display_name="Bob Backup")
        customer = factories.make_user(level="PRO", display_name="Carla <Customer>")
        ticket = factories.make_ticket(customer, subject="Host & Viewer", body="It <b>does not</b> connect.")
    cached, plain = factories.logged_in(app, agent), factories.logged_in(uncached, agent)
    page_url, ops_url = f"/staff/tickets/{ticket.id}", f"/staff/tickets/{ticket.id}/ops"
    kept = cache_for(app)

    def same(url=page_url, **headers):
        a = cached.get(url, headers=headers)
        b = plain.get(url, headers=headers)
        assert a.status_code == b.status_code == 200
        html = a.get_data(as_text=True)
        assert factories.tokenless(html) == factories.tokenless(b.get_data(as_text=True)), url
        return html

    def both(*urls):
        for url, headers in (urls or ((page_url, {}),)):
            same(url, **headers)
        return same()

    def change(fn):
        with app.app_context():
            fn()
        seconds[0] += kept_lists.SECONDS
        return both((page_url, {}), (ops_url, {"HX-Request": "true"}),
                    (page_url + "?canned=english-only", {"HX-Request": "true"}))

    both()
    hits = kept.hits
    page = both()
    assert kept.hits > hits  # the second load is the kept pieces
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)  # this request's own token in them
    assert f'id="note-form" novalidate>\n    <input type="hidden" name="csrf_token" value="{token}">' in page

    # the conversation: a reply, an internal note, a file, a renamed author
    page = change(lambda: Message.create(ticket=ticket, author=customer, body="Still <i>broken</i>."))
    assert "Still &lt;i&gt;broken&lt;/i&gt;." in page
    page = change(lambda: Message.create(ticket=ticket, author=agent, body="Check the logs.", internal=True))
    assert 'data-internal="true"' in page
    first = Message.select().where(Message.ticket == ticket.id).order_by(Message.id).first()
    page = change(lambda: Attachment.create(ticket=ticket, message=first, uploaded_by=customer, filename="host.log",
                                            stored_name="f" * 32, content_type="text/plain", size=2048))
    assert f'<a href="/tickets/{ticket.id}/attachments/' in page and '" download>host.log</a>' in page
    page = change(lambda: User.update(display_name="Ann A. Agent").where(User.id == agent.id).execute())
    assert "<strong>Ann A. Agent</strong>" in page and "Ann A. Agent (" in page  # author and the staff to pick
    # the ticket: assignment, status (the status form, the reply's status, no assignment when closed)
    page = change(lambda: Ticket.update(assignee=other.id).where(Ticket.id == ticket.id).execute())
    assert f'data-assignee="{other.email}"' in page
    page = change(lambda: Ticket.update(status="waiting", revision=Ticket.revision + 1)
                  .where(Ticket.id == ticket.id).execute())
    assert 'data-status="waiting"' in page
    page = change(lambda: Ticket.update(status="closed").where(Ticket.id == ticket.id).execute())
    assert "The ticket is closed; reopen it" in page
    change(lambda: Ticket.update(status="open").where(Ticket.id == ticket.id).execute())
    page = change(lambda: Ticket.update(subject="Renamed <b>", version="9.9.9.9", version_status="unknown",
                                        level="STARTER").where(Ticket.id == ticket.id).execute())
    assert "Renamed &lt;b&gt;</h1>" in page and "9.9.9.9" in page
    page = change(lambda: Ticket.update(first_response_at=utcnow(), first_response_met=True)
                  .where(Ticket.id == ticket.id).execute())
    assert "on time" in page
    # the requester: another ticket, a license that ends
    change(lambda: factories.make_ticket(customer, subject="Second <question>"))
    change(lambda: License.update(expires_on=factories.today(3)).where(License.user == customer.id).execute())
    # the panels: bugs to pick, a linked bug and its news, a session and its moves, credentials
    bug = Bug.create(title="Wake <from> sleep")
    page = change(lambda: None)
    assert "#%d Wake &lt;from&gt; sleep" % bug.id in page
    page = change(lambda: Ticket.update(bug=bug.id).where(Ticket.id == ticket.id).execute())
    assert f'data-bug-id="{bug.id}"' in page
    change(lambda: Bug.update(eta=factories.today(9), fixed_in="8.1").where(Bug.id == bug.id).execute())
    session = RemoteSession.create(ticket=ticket, requested_by=customer, agent=agent, status="scheduled",
                                   starts_at=utcnow() + datetime.timedelta(days=2))
    page = change(lambda: None)
    assert f'data-session-id="{session.id}" data-session-status="scheduled"' in page
    change(lambda: RemoteSession.update(starts_at=utcnow() + datetime.timedelta(days=3), duration_minutes=60)
           .where(RemoteSession.id == session.id).execute())
    change(lambda: RemoteSession.update(confirmed_at=utcnow()).where(RemoteSession.id == session.id).execute())
    change(lambda: User.update(time_zone="Europe/Berlin").where(User.id == agent.id).execute())  # my_time
    credential = Credential.create(ticket=ticket, session=session, submitted_by=customer, ciphertext=b"x")
    page = change(lambda: None)
    assert "Show credentials" in page
    change(lambda: CredentialView.create(credential=credential, viewer=agent))
    change(lambda: RemoteSession.update(status="ended", ended_at=utcnow()).where(RemoteSession.id == session.id)
           .execute())
    asked = RemoteSession.create(ticket=ticket, requested_by=customer, status="requested")
    change(lambda: None)
    page = change(lambda: RemoteSession.update(status="cancelled").where(RemoteSession.id == asked.id).execute())
    assert f'data-session-id="{asked.id}" data-session-status="cancelled"' in page
    # the canned replies offered and the one picked (the htmx picker's answer is the reply form)
    change(lambda: CannedReply.update(title="4.2 English, please").where(CannedReply.key == "english-only")
           .execute())
    picked = same(page_url + "?canned=english-only", **{"HX-Request": "true"})
    assert 'id="reply-form"' in picked and "4.2" not in picked.split("<textarea")[0]


def test_a_page_of_kept_pieces_builds_no_form_and_a_refused_form_is_drawn_afresh(app, make_user, make_ticket, login):
    from portal.web.forms.lazy import LazyForms
    agent = make_user(role="staff")
    ticket = make_ticket(make_user(level="PRO"))
    client = login(agent)
    built = []
    real = LazyForms.__getitem__

    def spy(self, name):
        built.append(name)
        return real(self, name)
    LazyForms.__getitem__ = spy
    try:
        client.get(f"/staff/tickets/{ticket.id}")
        assert {"reply", "note", "status", "assign", "bug", "schedule"} <= set(built)
        built.clear()
        client.get(f"/staff/tickets/{ticket.id}")
        assert built == []  # every piece was kept: no FlaskForm built
        token = factories.csrf_token(client, f"/staff/tickets/{ticket.id}")
        refused = client.post(f"/staff/tickets/{ticket.id}/note", data={"note": "", "csrf_token": token})
    finally:
        LazyForms.__getitem__ = real
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'aria-invalid="true"' in html.split('id="note-form"')[1].split("</form>")[0]
    again = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert 'aria-invalid' not in again  # the refusal was never kept
