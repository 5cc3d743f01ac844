"""Dashboard: first-response SLA per level over 30 days and queue depth per level (policy 2.1, 4.6)."""
import datetime
import re

from portal.db import utcnow
from portal.models import Category, Thread
from portal.services import dashboard
from tests.staff_ops.conftest import make_ticket

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)


def ticket(user, opened_ago, met=None, due_in=-H, **kw):
    now = utcnow()
    answered = met is not None
    return make_ticket(user, level=kw.pop("level", user.level), opened_at=now - opened_ago, due_at=now + due_in,
                       first_response_at=now - H if answered else None, first_response_met=met,
                       awaiting_staff=not answered, **kw)


def thread(user, category, opened_ago, met=None, due_in=-H, level="FREE", hidden=False):
    now = utcnow()
    answered = met is not None
    return Thread.create(category=category, author=user, title="t", created_at=now - opened_ago, level=level,
                         due_at=now + due_in, first_response_at=now - H if answered else None,
                         first_response_met=met, awaiting_staff=not answered, hidden=hidden, rank_band=16)


def known_data(make_user):
    pro, site, free = make_user(level="PRO"), make_user(level="SITE"), make_user()
    for _ in range(3):
        ticket(pro, 2 * D, met=True)
    ticket(pro, 3 * D, met=False)                   # answered late
    ticket(pro, 4 * D)                              # overdue, unanswered: counts as missed, in the queue
    ticket(pro, H, due_in=2 * H)                    # not due yet: outcome unknown, in the queue
    ticket(pro, 40 * D, met=False)                  # outside the 30 days
    ticket(pro, 5 * D, status="closed")             # closed while awaiting: not in the queue, missed
    ticket(site, D, met=True)
    category = Category.create(slug="general", name="General")
    thread(free, category, D, met=True)
    thread(free, category, 2 * D, met=False)
    thread(free, category, H, due_in=5 * H)         # awaiting, not due
    thread(free, category, H, due_in=5 * H, hidden=True)  # hidden: not counted
    thread(free, category, 2 * D, met=True, level="PRO")


def test_sla_and_depth_numbers(app, make_user):
    known_data(make_user)
    sla = {r["level"]: r for r in dashboard.sla_by_level()}
    assert (sla["PRO"]["ticket_met"], sla["PRO"]["ticket_total"]) == (3, 6)
    assert (sla["PRO"]["forum_met"], sla["PRO"]["forum_total"]) == (1, 1)
    assert sla["PRO"]["percent"] == round(100 * 4 / 7)
    assert (sla["SITE"]["met"], sla["SITE"]["total"], sla["SITE"]["percent"]) == (1, 1, 100)
    assert (sla["FREE"]["forum_met"], sla["FREE"]["forum_total"], sla["FREE"]["percent"]) == (1, 2, 50)
    assert sla["STARTER"]["total"] == 0 and sla["STARTER"]["percent"] is None
    depth = {r["level"]: r for r in dashboard.queue_depth()}
    assert (depth["PRO"]["tickets"], depth["PRO"]["forum"]) == (2, 0)
    assert (depth["FREE"]["tickets"], depth["FREE"]["forum"], depth["FREE"]["total"]) == (0, 1, 1)
    assert depth["SITE"]["total"] == 0


def test_dashboard_page_svg_and_tables(app, client, make_user, login):
    known_data(make_user)
    login(make_user(role="staff"))
    response = client.get("/staff/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<svg role="img"') == 2 and "<title id=\"sla-t\">" in html
    assert '<tr data-level="PRO"><th scope="row">PRO</th>\n      <td>3 / 6</td><td>1 / 1</td>' in html
    assert 'data-percent="57"' in html and 'data-percent="100"' in html
    assert '<g data-level="FREE" data-value="50">' in html
    assert '<g data-level="PRO" data-value="2">' in html  # depth chart
    # Charts are drawn on the server: no script in the body, nothing fetched from
    # another host (a random CSRF token may spell "cdn", so look at the URLs).
    assert "<script" not in html.split("</head>")[1]
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
