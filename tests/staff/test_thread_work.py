"""Forum threads in the queue are claimed and answered like tickets (policy 4.6, 2.1, 8.6).

Claims race on both databases like tickets' (tests/staff/test_claim_race.py): each client in its
own thread and connection, released together by a barrier; exactly one wins."""
import re

from portal.models import AuditLog, Post, Thread
from portal.services.search import search_threads
from tests.factories import csrf_token, race_posts
from tests.forum.helpers import SECRET
from tests.staff.helpers import queue_rows


def _post(client, url, page, **data):
    return client.post(url, data=data | {"csrf_token": csrf_token(client, page)})


def test_two_agents_claim_one_thread_at_once_exactly_one_wins(app, make_user, login, make_thread):
    for round_ in range(4):  # several rounds: the outcome must never depend on luck
        ann = make_user(role="staff", display_name=f"Ann{round_}")
        bob = make_user(role="staff", display_name=f"Bob{round_}")
        thread = make_thread(make_user(level="PRO"))
        clients = [login(ann, app.test_client()), login(bob, app.test_client())]
        page = f"/staff/threads/{thread.id}"
        tokens = [csrf_token(c, page) for c in clients]
        results = race_posts(clients, f"{page}/claim", [{"csrf_token": t} for t in tokens], seconds=30)
        assert sorted(code for code, _ in results) == [302, 409], results
        with app.app_context():
            winner = Thread.get_by_id(thread.id).assignee_id
            claims = [a.actor_id for a in AuditLog.select().where(
                (AuditLog.action == "claim") & (AuditLog.object_type == "thread")
                & (AuditLog.object_id == str(thread.id)))]
        assert winner in (ann.id, bob.id) and claims == [winner]
        loser_page = next(body for code, body in results if code == 409)
        name = ann.name if winner == ann.id else bob.name
        assert f"{name} has already claimed this thread." in loser_page  # told who has it


def test_claim_then_unassign_and_the_page_says_who_holds_it(app, make_user, login, make_thread):
    ann = make_user(role="staff", display_name="Ann")
    thread = make_thread(make_user(level="PLUS"))
    client, page = login(ann, app.test_client()), f"/staff/threads/{thread.id}"
    assert "Claim</button>" in client.get(page).get_data(as_text=True)
    claimed = _post(client, f"{page}/claim", page)
    assert claimed.status_code == 302 and claimed.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert f'data-assignee="{ann.email}"' in html and "Unassign</button>" in html
    assert _post(client, f"{page}/claim", page).status_code == 302  # your own again: nothing changes
    assert _post(client, f"{page}/unassign", page).status_code == 302
    with app.app_context():
        assert Thread.get_by_id(thread.id).assignee_id is None
        actions = [a.action for a in AuditLog.select().where(AuditLog.object_type == "thread").order_by(AuditLog.id)]
    assert actions == ["claim", "unassign"]


def test_a_lost_claim_answers_409_naming_the_holder(app, make_user, login, make_thread):
    ann = make_user(role="staff", display_name="Ann")
    bob = make_user(role="staff", display_name="Bob")
    thread = make_thread(make_user(level="PRO"))
    page = f"/staff/threads/{thread.id}"
    _post(login(ann, app.test_client()), f"{page}/claim", page)
    lost = _post(login(bob, app.test_client()), f"{page}/claim", page)
    assert lost.status_code == 409 and "Ann has already claimed this thread." in lost.get_data(as_text=True)


def test_a_staff_answer_is_a_forum_post_that_stops_the_clock(app, make_user, login, make_thread):
    """policy 2.1: the first staff answer records the thread's first response and takes it out of
    the queue, as a staff reply in the forum does; it is indexed for search like any post."""
    author = make_user(level="PLUS")
    thread = make_thread(author, title="Host service stops after reboot")
    agent = make_user(role="staff", display_name="Ann")
    client, page = login(agent, app.test_client()), f"/staff/threads/{thread.id}"
    assert 'id="answer-form"' in client.get(page).get_data(as_text=True)
    body = "Turn on the Windows service recovery option and update to 8.1.0.3."
    answered = _post(client, f"{page}/answer", page, body=body)
    assert answered.status_code == 302
    with app.app_context():
        fresh = Thread.get_by_id(thread.id)
        post = Post.get((Post.thread == thread.id) & (Post.author == agent.id))
        assert answered.headers["Location"].endswith(f"{page}#p{post.id}")
        assert not fresh.awaiting_staff and fresh.first_response_at is not None and fresh.first_response_met
        assert post.is_staff_answer and post.body == body and fresh.post_count == 2
        assert [t.id for t in search_threads("recovery")] == [thread.id]
        audit = AuditLog.get(AuditLog.action == "answer")
        assert audit.object_type == "thread" and audit.object_id == str(thread.id) and body not in audit.detail
    rows = queue_rows(client.get("/staff/queue").get_data(as_text=True))
    assert str(thread.id) not in [r["request-id"] for r in rows if r["channel"] == "forum"]
    assert body in login(author, app.test_client()).get(f"/forum/t/{thread.id}").get_data(as_text=True)


def test_a_staff_answer_with_credentials_is_refused_and_nothing_stored(app, make_user, login, make_thread):
    """policy 8.6: the forum's secret guard applies to staff answers too."""
    thread = make_thread(make_user(level="PRO"))
    client, page = login(make_user(role="staff"), app.test_client()), f"/staff/threads/{thread.id}"
    refused = _post(client, f"{page}/answer", page, body=SECRET)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "appears to contain" in html
    assert "Xy7!kq9Lm" in html.replace("&#34;", '"')  # the text is kept in the form to edit
    with app.app_context():
        assert Post.select().where(Post.thread == thread.id).count() == 1
        assert Thread.get_by_id(thread.id).awaiting_staff
        assert not AuditLog.select().where(AuditLog.action == "answer").exists()


def test_an_empty_answer_is_refused_next_to_the_field(app, make_user, login, make_thread):
    thread = make_thread(make_user(level="PRO"))
    client, page = login(make_user(role="staff"), app.test_client()), f"/staff/threads/{thread.id}"
    refused = _post(client, f"{page}/answer", page, body="   ")
    assert refused.status_code == 422 and 'id="e-body"' in refused.get_data(as_text=True)


def test_the_queue_row_of_a_thread_offers_claim(app, make_user, login, make_thread, make_ticket):
    thread = make_thread(make_user(level="FREE"))
    ticket = make_ticket(make_user(level="PRO"))
    ann = make_user(role="staff", display_name="Ann")
    client = login(ann, app.test_client())
    html = client.get("/staff/queue").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="(/staff/threads/\d+/claim)"', html)
    assert forms == [f"/staff/threads/{thread.id}/claim"]  # one per unassigned thread; tickets are claimed on their page
    assert f"/staff/tickets/{ticket.id}/claim" not in html
    token = re.search(r'class="inline queue-claim"><input type="hidden" name="csrf_token" value="([^"]+)"', html)
    claimed = client.post(forms[0], data={"csrf_token": token.group(1)})  # the row's own form, no JavaScript
    assert claimed.status_code == 302
    rows = queue_rows(client.get("/staff/queue").get_data(as_text=True))
    (row,) = [r for r in rows if r["channel"] == "forum"]
    assert row["assignee"] == ann.email
    assert "queue-claim" not in client.get("/staff/queue").get_data(as_text=True)


def test_the_rows_fragment_offers_claim_too(app, make_user, login, make_thread):
    """The 30 s refresh renders the rows block alone: its Claim form carries its own token."""
    thread = make_thread(make_user(level="FREE"))
    client = login(make_user(role="staff"), app.test_client())
    rows = client.get("/staff/queue", headers={"HX-Request": "true"})
    html = rows.get_data(as_text=True)
    assert rows.status_code == 200 and "<h1>" not in html
    assert f'action="/staff/threads/{thread.id}/claim"' in html and 'name="csrf_token"' in html


def test_thread_work_is_for_staff_only(app, make_user, login, make_thread):
    thread = make_thread(make_user(level="PRO"))
    customer = login(make_user(level="PRO"), app.test_client())
    token = csrf_token(customer, "/policy")
    for action in ("claim", "unassign", "answer"):
        response = customer.post(f"/staff/threads/{thread.id}/{action}", data={"csrf_token": token, "body": "Hi there"})
        assert response.status_code == 404, action
    staff = login(make_user(role="staff"), app.test_client())
    assert _post(staff, "/staff/threads/999999/claim", "/policy").status_code == 404
    with app.app_context():
        assert Post.select().where(Post.thread == thread.id).count() == 1
        assert Thread.get_by_id(thread.id).assignee_id is None
