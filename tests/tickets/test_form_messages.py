"""Each form error says what is wrong: empty is not 'too long' (issue 10)."""
from tests.factories import csrf_token, make_category
from tests.tickets.conftest import post, submit_token, text
from tests.tickets.test_filing import FORM


def test_reply_empty_and_too_long_get_their_own_messages(user, ticket, client_for):
    owner = user(level="PRO")
    client, t = client_for(owner), ticket(owner)
    empty = text(post(client, f"/tickets/{t.id}/reply", {"body": "  "}))
    assert "Write a reply." in empty and "at most" not in empty
    long = text(post(client, f"/tickets/{t.id}/reply", {"body": "y" * 20_001}))
    assert "limited to 20,000 characters; this one has 20,001" in long


def test_new_ticket_empty_subject_and_body(user, client_for):
    client = client_for(user(level="PRO"))
    token = submit_token(text(client.get("/tickets/new")))
    page = text(post(client, "/tickets/new", FORM | {"submit_token": token, "subject": "", "body": ""}))
    assert "Give the ticket a subject." in page and "Describe the problem." in page
    assert "3 to 200" not in page and "10 to 20,000" not in page
    token = submit_token(page)
    short = text(post(client, "/tickets/new", FORM | {"submit_token": token, "subject": "ab", "body": "short"}))
    assert "Give a subject of 3 to 200 characters." in short and "in 10 to 20,000 characters" in short


def test_forum_thread_without_a_title(app, client, login, make_user):
    with app.app_context():
        make_category()
    login(make_user(level="PRO"))
    response = client.post("/forum/new", data={"category": "general", "title": " ", "body": "Help, please.",
                                               "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "Give the thread a title." in response.get_data(as_text=True)
    assert "5 to 200" not in response.get_data(as_text=True)
