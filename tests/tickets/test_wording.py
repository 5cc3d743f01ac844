"""Wording found trying the portal as a new user: plurals, one citation, durations, dates (issue 10)."""
import datetime
import io
import re

from portal.models import Bug, Ticket
from tests.factories import make_thread
from tests.tickets.conftest import post, text
from tests.tickets.test_orders import HEADER


def test_one_imported_license_is_singular(app, user, client_for, tmp_path):
    admin = client_for(user(role="admin"))
    row = "RU-9,one@example.test,RUPRO-AAAA-0009,PRO,2026-01-10,\n"
    body = text(post(admin, "/admin/orders", {"file": (io.BytesIO((HEADER + row + "RU-8,bad\n").encode()), "o.csv")},
                     content_type="multipart/form-data"))
    assert "Added 1 license; 0 already known; 1 bad row." in body
    path = tmp_path / "again.csv"
    path.write_text(HEADER + row)
    result = app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])
    assert "added 0 licenses, 1 already known, 0 bad rows" in result.output


def test_version_verdict_cites_the_clause_once(user, ticket, client_for, releases):
    t = ticket(user(level="PRO"), version="8.0.0.1")
    page = text(client_for(user(role="staff")).get(f"/staff/tickets/{t.id}"))
    assert "update to 8.1.0.3 first" in page
    assert "(policy 7.2). (policy 7.2)" not in page and "(policy 7.2).</small> (policy 7.2)" not in page


def test_targets_are_written_without_a_needless_decimal(user, client_for):
    client = client_for(user(level="PRO"))
    account = text(client.get("/account/"))
    assert re.search(r"First-response target: \d+ business hours", account), account
    assert ".0 business hours" not in account
    policy = text(client.get("/policy"))
    assert ".0 h<" not in policy and re.search(r"<td>\d+ h</td>", policy)


def test_dates_are_written_one_way_on_every_page(app, user, ticket, client_for):
    owner = user(level="PRO")
    t = ticket(owner)
    with app.app_context():
        bug = Bug.create(title="Viewer freezes", eta=datetime.date(2030, 5, 1), workaround="Restart it.")
        Ticket.update(bug=bug).where(Ticket.id == t.id).execute()
        thread = make_thread(owner, title="Where is the log kept?")
    client = client_for(owner)
    day_time = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} PT"
    page = text(client.get(f"/tickets/{t.id}"))
    assert re.search("opened " + day_time, page) and "Expected fix: Wed 1 May 2030" in page
    forum = text(client.get(f"/forum/t/{thread.id}"))
    stamps = re.findall(r"<time datetime=[^>]+>([^<]+)</time>", forum)
    assert stamps and all(re.fullmatch(day_time, s) for s in stamps), stamps
