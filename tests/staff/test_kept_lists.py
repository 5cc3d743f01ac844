"""The staff ticket page's reference lists kept a few seconds per worker (portal/services/kept.py):
the canned titles, the staff to assign, the open bugs and the release versions are read once per
SECONDS, drawn a few seconds late at worst, and every POST validates against fresh data."""
import pytest

from portal.models import Bug, CannedReply, Release, Ticket, User
from portal.services import kept as kept_lists
from tests import factories
from tests.factories import counting_queries


@pytest.fixture
def clock(monkeypatch):
    seconds = [1000.0]
    monkeypatch.setattr(kept_lists, "_seconds", lambda: seconds[0])
    return seconds


def _lists_read(seen):
    """Which reference lists the statements read."""
    names = {"canned_reply": "canned", "release": "releases", "bug": "bugs"}
    read = {name for table, name in names.items() if f'FROM "{table}"' in "".join(seen)}
    if any('"role" IN' in sql for sql in seen):
        read.add("staff")
    return read


def test_the_lists_are_read_once_per_seconds_and_drawn_fresh_after(app, client, make_user, login, make_ticket, clock):
    agent = make_user(role="staff", display_name="Ann")
    ticket = make_ticket(make_user(level="PRO"), version="7.5.0.0")
    login(agent)
    url = f"/staff/tickets/{ticket.id}"
    client.get(url)
    with app.app_context():
        User.update(display_name="Ann Renamed").where(User.id == agent.id).execute()
        CannedReply.update(title="4.2 English, please").where(CannedReply.key == "english-only").execute()
        bug = Bug.create(title="Wake from sleep")
        Release.create(product=ticket.product, version="9.0.0.0", major=9, minor=0, subminor=0, patch=0)
    with counting_queries() as seen:
        page = client.get(url).get_data(as_text=True)
    assert _lists_read(seen) == set()  # all four kept
    assert "Ann Renamed (" not in page and "English, please" not in page and "Wake from sleep" not in page
    clock[0] += kept_lists.SECONDS
    with counting_queries() as seen:
        page = client.get(url).get_data(as_text=True)
    assert _lists_read(seen) == {"canned", "releases", "bugs", "staff"}
    assert "Ann Renamed (" in page and "4.2 English, please" in page and f"#{bug.id} Wake from sleep" in page
    assert "update to 9.0.0.0" in page  # the verdict on the new release list


def test_a_post_validates_against_fresh_staff_while_the_page_draws_the_kept_list(app, client, make_user, login,
                                                                                 make_ticket, clock):
    agent = make_user(role="staff")
    leaving = make_user(role="staff", display_name="Leaving Lee")
    ticket = make_ticket(make_user(level="PRO"))
    login(agent)
    url = f"/staff/tickets/{ticket.id}"
    client.get(url)
    newcomer = make_user(role="staff", display_name="New Nia")
    with app.app_context():
        User.update(role="customer").where(User.id == leaving.id).execute()
    page = client.get(url).get_data(as_text=True)
    assert "Leaving Lee (" in page and "New Nia (" not in page  # the kept list, a few seconds old
    token = factories.csrf_token(client, url)
    refused = client.post(f"{url}/assign", data={"agent": leaving.id, "csrf_token": token})
    assert refused.status_code == 400
    done = client.post(f"{url}/assign", data={"agent": newcomer.id, "csrf_token": token})
    assert done.status_code == 302
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).assignee_id == newcomer.id


def test_kept_reads_once_per_name_and_arguments_until_it_ages_out(ctx, clock):
    loads = []

    def load(*args):
        loads.append(args)
        return tuple(args)
    assert kept_lists.kept("a", load, 1) == (1,) and kept_lists.kept("a", load, 1) == (1,)
    assert kept_lists.kept("a", load, 2) == (2,) and kept_lists.kept("b", load, 1) == (1,)
    assert loads == [(1,), (2,), (1,)]
    clock[0] += kept_lists.SECONDS - 0.01
    kept_lists.kept("a", load, 1)
    assert len(loads) == 3
    clock[0] += 0.01
    kept_lists.kept("a", load, 1)
    assert loads[-1] == (1,) and len(loads) == 4
