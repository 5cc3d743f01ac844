"""Follow-ups are not breached first responses (policy 2.1: the target is about the FIRST response)."""
from portal.models import Ticket
from portal.services import queue, tickets
from tests.staff.helpers import at, queue_rows


def _answered_then_followed_up(make_ticket, customer, agent):
    """A ticket answered on time, whose customer wrote again after the due time passed."""
    ticket = make_ticket(customer, opened=at(days_ago=3), due=at(days_ago=2))
    Ticket.update(first_response_at=at(days_ago=2, hours=1), first_response_met=True,
                  awaiting_staff=False, status="waiting").where(Ticket.id == ticket.id).execute()
    tickets.add_reply(Ticket.get_by_id(ticket.id), customer, "Thanks, but it still fails after the update.")
    return Ticket.get_by_id(ticket.id)


def test_follow_up_is_not_shown_as_breached(app, ctx, make_user, make_ticket):  # policy 2.1
    customer, agent = make_user(level="PRO"), make_user(role="staff")
    follow = _answered_then_followed_up(make_ticket, customer, agent)
    late = make_ticket(make_user(level="PRO"), opened=at(days_ago=3), due=at(days_ago=2))
    assert follow.awaiting_staff and follow.first_response_at is not None
    rows = {r.id: r for r in queue.queue_page().rows}
    assert rows[late.id].state == "breached" and rows[late.id].time_text.startswith("overdue")
    assert rows[follow.id].state == "follow_up" and rows[follow.id].time_text == "follow-up"
    assert "overdue" not in rows[follow.id].explanation and "follow-up" in rows[follow.id].explanation


def test_breached_filter_leaves_follow_ups_out(app, client, make_user, login, make_ticket):  # policy 2.1
    customer, agent = make_user(level="PRO"), make_user(role="staff")
    with app.app_context():
        follow = _answered_then_followed_up(make_ticket, customer, agent)
    late = make_ticket(make_user(level="PRO"), opened=at(days_ago=3), due=at(days_ago=2))
    login(agent)
    html = client.get("/staff/queue", query_string={"breached": "1"}).get_data(as_text=True)
    assert [int(r["request-id"]) for r in queue_rows(html)] == [late.id]
    html = client.get("/staff/queue").get_data(as_text=True)
    rows = {int(r["request-id"]): r for r in queue_rows(html)}
    assert set(rows) == {late.id, follow.id}  # the follow-up still waits, in the same rank order
    assert "state-row-follow_up" in html and "state-row-breached" in html
    with app.app_context():
        assert queue.queue_depth(queue.Filters(breached=True))["ticket"] == 1


def test_follow_up_keeps_its_place_in_the_keyset_order(app, ctx, make_user, make_ticket):
    customer, agent = make_user(level="PRO"), make_user(role="staff")
    follow = _answered_then_followed_up(make_ticket, customer, agent)
    fresh = make_ticket(make_user(level="PRO"))
    page = queue.queue_page(limit=1)
    assert [r.id for r in page.rows] == [follow.id]  # earlier due time, same band: first
    assert [r.id for r in queue.queue_page(cursor=page.next_cursor, limit=1).rows] == [fresh.id]
