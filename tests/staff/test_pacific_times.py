"""Staff pages show times in Pacific time like the rest of the portal (policy 1.5); data-due stays ISO."""
import datetime

from portal.models import CannedReply, Message, Post, Ticket

UTC = datetime.timezone.utc
MONDAY_18_UTC = datetime.datetime(2030, 1, 7, 18, 0, tzinfo=UTC)   # Mon 7 Jan 2030 10:00 PST


def test_staff_ticket_page_in_pacific_time(app, client, make_user, login, make_ticket):  # policy 1.5
    customer, agent = make_user(level="PRO"), make_user(role="staff")
    ticket = make_ticket(customer, opened=MONDAY_18_UTC, due=MONDAY_18_UTC + datetime.timedelta(hours=3))
    with app.app_context():
        Message.update(created_at=MONDAY_18_UTC).execute()
        login(agent)
    html = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert "Mon 7 Jan 2030 10:00 PT" in html and " UTC" not in html
    assert 'data-due="2030-01-07T21:00:00+00:00"' in html  # machine-readable stays ISO with offset
    with app.app_context():
        Ticket.update(first_response_at=MONDAY_18_UTC + datetime.timedelta(minutes=30),
                      first_response_met=True).where(Ticket.id == ticket.id).execute()
    html = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert "given Mon 7 Jan 2030 10:30 PT" in html and " UTC" not in html


def test_staff_thread_page_in_pacific_time(app, client, make_user, login, make_thread):  # policy 1.5
    thread = make_thread(make_user(level="PRO"), opened=MONDAY_18_UTC, due=MONDAY_18_UTC + datetime.timedelta(hours=3))
    with app.app_context():
        Post.update(created_at=MONDAY_18_UTC).execute()
    login(make_user(role="staff"))
    html = client.get(f"/staff/threads/{thread.id}").get_data(as_text=True)
    assert "Mon 7 Jan 2030 10:00 PT" in html and "Mon 7 Jan 2030 13:00 PT" in html and " UTC" not in html
    assert 'data-due="2030-01-07T21:00:00+00:00"' in html


def test_canned_page_in_pacific_time(app, client, make_user, login):  # policy 1.5
    login(make_user(role="admin"))
    client.get("/staff/canned")  # seeds
    with app.app_context():
        CannedReply.update(updated_at=MONDAY_18_UTC).execute()
    html = client.get("/staff/canned").get_data(as_text=True)
    assert "Last changed Mon 7 Jan 2030 10:00 PT" in html and " UTC" not in html


def test_converted_thread_quotes_replies_in_pacific_time(app, client, make_user, login, make_thread):
    author = make_user(level="PLUS")
    # opened before the reply whatever the clock says: the quote follows the posts' order
    thread = make_thread(author, opened=MONDAY_18_UTC - datetime.timedelta(hours=1))
    with app.app_context():
        Post.create(thread=thread, author=author, body="Still failing.", created_at=MONDAY_18_UTC)
    from tests.factories import csrf_token
    login(make_user(role="staff"))
    token = csrf_token(client, f"/staff/threads/{thread.id}")
    assert client.post(f"/staff/threads/{thread.id}/convert", data={"csrf_token": token}).status_code == 302
    body = Message.get().body
    assert "wrote on Mon 7 Jan 2030 10:00 PT" in body and "UTC" not in body
