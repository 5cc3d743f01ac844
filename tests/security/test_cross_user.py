"""One account against another's tickets, attachments, sessions and credentials: 404, nothing written.

User A is a PRO customer (the matrix's PRO role); B is the owner (another PRO customer); R is a
reseller. Every read, reply, download, claim and export is tried by id and as an htmx request.
The partner roles (policy 3.1: partner A's manager and member, partner B's manager) try every
staff URL on a ticket partner A's member filed for an end customer: 404, as for everyone not staff.
"""
import html
import re

import pytest

from portal.models import ALL_MODELS, Attachment, Credential, CredentialView
from tests.security.conftest import owner_ticket, png, scheduled_session

HX = {"HX-Request": "true"}
MISSING = 999999
SECRETS = {"owner": "owner-secret-Pa55", "reseller": "reseller-secret-Pa55", "partner": "partner-secret-Pa55"}
PARTNER_ACTORS = ("manager", "member", "manager_b")

GETS = ["/tickets/{ticket}", "/tickets/{ticket}/attachments/{att}", "/tickets/{ticket}/session.ics",
        "/tickets/{own}/attachments/{att}",  # the target's file through the actor's own ticket
        "/staff/tickets/{ticket}", "/staff/tickets/{ticket}/ops"]
POSTS = [("/tickets/{ticket}/reply", {"body": "A reply from someone else"}),
         ("/tickets/{ticket}/close", {}), ("/tickets/{ticket}/reopen", {}),
         ("/tickets/{ticket}/remote", {}),
         ("/tickets/{ticket}/credentials", {"remote_id": "ID-999", "password": "not-yours"}),
         ("/staff/tickets/{ticket}/claim", {}), ("/staff/tickets/{ticket}/assign", {"agent": "{actor}"}),
         ("/staff/tickets/{ticket}/unassign", {}), ("/staff/tickets/{ticket}/status", {"status": "closed"}),
         ("/staff/tickets/{ticket}/reply", {"body": "Pretending to be staff"}),
         ("/staff/tickets/{ticket}/note", {"note": "Pretending to be staff"}),
         ("/staff/tickets/{ticket}/bug", {"title": "Fake bug"}), ("/staff/tickets/{ticket}/bug/unlink", {}),
         ("/staff/tickets/{ticket}/sessions", {"agent": "{actor}", "starts_on": "2031-03-18", "starts_time": "09:30"}),
         ("/staff/credentials/{cred}/reveal", {}),
         ("/staff/sessions/{session}/start", {}), ("/staff/sessions/{session}/end", {}),
         ("/staff/sessions/{session}/cancel", {})]
PAIRS = [("PRO", "owner"), ("reseller", "owner"), ("PRO", "reseller")]  # (actor, whose objects)
# the staff console's own lists, filtered to partner A, and every staff URL of the lists above
STAFF_GETS = ["/staff/", "/staff/queue", "/staff/queue?partner={partner}", "/staff/queue?partner={partner}&level=SITE",
              "/staff/dashboard", "/staff/audit", *(u for u in GETS if u.startswith("/staff/"))]
STAFF_POSTS = [(u, d) for u, d in POSTS if u.startswith("/staff/")]


class Cross:
    """The module's objects: for each owner (B, R) a ticket, attachment, session, credential."""

    def __init__(self, world):
        self.world, self.app = world, world.app
        with self.app.test_request_context():
            self.targets = {"owner": self._owner_objects(world), "reseller": self._reseller_objects(world),
                            "partner": self._partner_objects(world)}
            self.own = {role: owner_ticket(world.users[role], f"Own ticket of {role}", files=[png("mine.png")]).id
                        for role in ("PRO", "reseller")}
            self.internal_att = self._internal_note(world)

    @staticmethod
    def _owner_objects(world):
        p = world.params
        return {"ticket": p["ticket_id"], "att": p["att_id"], "session": p["session_id"],
                "cred": p["credential_id"]}

    @staticmethod
    def _reseller_objects(world):
        from portal.services import credentials
        reseller = world.users["reseller"]
        ticket = owner_ticket(reseller, "Partner: Host install fails", files=[png("partner.png")])
        session = scheduled_session(ticket, world.agent)
        cred = credentials.store_credentials(ticket, reseller, "ID-222-333", SECRETS["reseller"], "")
        return {"ticket": ticket.id, "att": Attachment.get(Attachment.ticket == ticket).id,
                "session": session.id, "cred": cred.id}

    @staticmethod
    def _partner_objects(world):
        """A ticket partner A's member filed for an end customer's SITE license, with a session and
        credentials (policy 3.1: it belongs to partner A, which its manager and member may see)."""
        from portal.models import Order, Ticket
        from portal.services import credentials
        from tests import factories
        member = world.users["member"]
        ticket = owner_ticket(member, "Partner A: Fabrikam relay drops sessions", files=[png("fabrikam.png")])
        order, lic = factories.make_order("it@fabrikam.example", "SITE")
        Order.update(partner=member.partner_id).where(Order.id == order.id).execute()
        (Ticket.update(partner=member.partner_id, license=lic, end_customer_company="Fabrikam",
                       end_customer_email="it@fabrikam.example").where(Ticket.id == ticket.id).execute())
        session = scheduled_session(ticket, world.agent)
        cred = credentials.store_credentials(ticket, member, "ID-444-888", SECRETS["partner"], "")
        return {"ticket": ticket.id, "att": Attachment.get(Attachment.ticket == ticket).id,
                "session": session.id, "cred": cred.id, "partner": member.partner_id}

    @staticmethod
    def _internal_note(world):
        """A staff-internal note with a file on B's ticket (attachments there are for staff only)."""
        from portal.models import Ticket
        from portal.services import tickets
        ticket = Ticket.get_by_id(world.params["ticket_id"])
        note = tickets.add_reply(ticket, world.agent, "Internal: the Host log shows a driver crash.",
                                 internal=True, files=[png("internal.png")])
        return Attachment.get(Attachment.message == note).id

    def ids(self, actor, whose):
        return self.targets[whose] | {"own": self.own[actor], "actor": self.world.users[actor].id}

    def snapshot(self):
        """Every row of every table, and the mail sent: the proof that nothing was written."""
        sent = len(self.app.extensions["outbox"].sent)  # first: reading it delivers what was queued
        with self.app.app_context():
            rows = {m.__name__: list(m.select().order_by(m.id).tuples()) for m in ALL_MODELS}
        return rows, sent


@pytest.fixture(scope="module")
def cross(authz_world):
    """The objects, and every client logged in before any test takes its snapshot."""
    found = Cross(authz_world)
    for role in ("PRO", "reseller", "staff", "admin", *PARTNER_ACTORS):
        authz_world.client(role)
    found.agent = authz_world.login_as(authz_world.agent)
    found.owner = authz_world.login_as(authz_world.owner)
    return found


def send(world, client, role, method, url, data=None, htmx=False):
    """GET, or POST with a valid CSRF token (a form field, or the header htmx sends)."""
    headers = dict(HX) if htmx else {}
    if method == "GET":
        return client.get(url, headers=headers)
    data = dict(data or {})
    if htmx:
        headers["X-CSRFToken"] = world.csrf(client, role)
    else:
        data["csrf_token"] = world.csrf(client, role)
    return client.post(url, data=data, headers=headers)


def fill(template, ids):
    return template.format(**ids)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("actor,whose", PAIRS, ids=[f"{a}-vs-{w}" for a, w in PAIRS])
@pytest.mark.parametrize("url", GETS)
def test_reading_someone_elses_objects_is_404(cross, url, actor, whose, htmx):
    ids, before = cross.ids(actor, whose), cross.snapshot()
    response = send(cross.world, cross.world.client(actor), actor, "GET", fill(url, ids), htmx=htmx)
    assert response.status_code == 404
    assert SECRETS[whose] not in response.get_data(as_text=True)
    assert cross.snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("actor,whose", PAIRS, ids=[f"{a}-vs-{w}" for a, w in PAIRS])
@pytest.mark.parametrize("url,data", POSTS, ids=[u for u, _ in POSTS])
def test_acting_on_someone_elses_objects_is_404_and_writes_nothing(cross, url, data, actor, whose, htmx):
    ids, before = cross.ids(actor, whose), cross.snapshot()
    data = {name: fill(value, ids) for name, value in data.items()}
    response = send(cross.world, cross.world.client(actor), actor, "POST", fill(url, ids), data, htmx)
    assert response.status_code == 404
    assert SECRETS[whose] not in response.get_data(as_text=True)
    assert cross.snapshot() == before


def _partner_ids(cross, actor):
    return cross.targets["partner"] | {"actor": cross.world.users[actor].id}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("actor", PARTNER_ACTORS)
@pytest.mark.parametrize("url", STAFF_GETS)
def test_partner_roles_get_404_on_every_staff_page_of_a_partner_ticket(cross, url, actor, htmx):
    # the staff console exists only for staff, also for the partner's own tickets (policy 3.1, 3.2)
    ids, before = _partner_ids(cross, actor), cross.snapshot()
    response = send(cross.world, cross.world.client(actor), actor, "GET", fill(url, ids), htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert SECRETS["partner"] not in body and "Fabrikam" not in body
    assert cross.snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("actor", PARTNER_ACTORS)
@pytest.mark.parametrize("url,data", STAFF_POSTS, ids=[u for u, _ in STAFF_POSTS])
def test_partner_roles_get_404_on_every_staff_action_on_a_partner_ticket(cross, url, data, actor, htmx):
    ids, before = _partner_ids(cross, actor), cross.snapshot()
    data = {name: fill(value, ids) for name, value in data.items()}
    response = send(cross.world, cross.world.client(actor), actor, "POST", fill(url, ids), data, htmx)
    assert response.status_code == 404
    assert SECRETS["partner"] not in response.get_data(as_text=True)
    assert cross.snapshot() == before


def test_staff_do_see_the_partner_ticket_on_those_urls(cross):
    # the control for the refusals above: the same pages answer staff, naming the partner ticket
    world, ids = cross.world, cross.targets["partner"]
    queue_page = world.client("staff").get(f"/staff/queue?partner={ids['partner']}").get_data(as_text=True)
    assert f'data-request-id="{ids["ticket"]}"' in queue_page and "for Fabrikam" in queue_page
    page = world.client("staff").get(f"/staff/tickets/{ids['ticket']}")
    assert page.status_code == 200 and "Fabrikam" in page.get_data(as_text=True)


def test_lists_and_partner_area_show_only_ones_own_tickets(cross):
    world = cross.world
    subjects = {"owner": "Viewer cannot connect to the Host", "reseller": "Partner: Host install fails"}
    customer = world.client("PRO").get("/tickets/").get_data(as_text=True)
    partner = world.client("reseller").get("/partner/").get_data(as_text=True)
    assert "Own ticket of PRO" in customer and "Own ticket of reseller" in partner  # the lists work
    assert subjects["owner"] not in customer and subjects["reseller"] not in customer
    assert subjects["owner"] not in partner
    for htmx_page in (world.client("PRO").get("/tickets/?page=1", headers=HX),
                      world.client("reseller").get("/partner/", headers=HX)):
        assert subjects["owner"] not in htmx_page.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_requester_cannot_download_a_staff_internal_attachment(cross, htmx):
    world, before = cross.world, cross.snapshot()
    owner = cross.owner
    ticket = world.params["ticket_id"]
    response = send(world, owner, "PRO", "GET", f"/tickets/{ticket}/attachments/{cross.internal_att}", htmx=htmx)
    assert response.status_code == 404
    page = send(world, owner, "PRO", "GET", f"/tickets/{ticket}", htmx=htmx).get_data(as_text=True)
    assert "driver crash" not in page and "internal.png" not in page
    # the requester's own file is theirs to download (the refusal above is not a broken route)
    own = send(world, owner, "PRO", "GET", f"/tickets/{ticket}/attachments/{world.params['att_id']}", htmx=htmx)
    assert own.status_code == 200
    staff = send(world, world.client("staff"), "staff", "GET",
                 f"/tickets/{ticket}/attachments/{cross.internal_att}", htmx=htmx)
    assert staff.status_code == 200
    assert cross.snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize("whose", ["owner", "reseller"])
def test_staff_who_are_not_the_sessions_agent_cannot_reveal_credentials(cross, role, whose, htmx):
    # policy 8.5 Decision: shown only to the staff member working the session
    world, ids, before = cross.world, cross.targets[whose], cross.snapshot()
    client = world.client(role)
    response = send(world, client, role, "POST", f"/staff/credentials/{ids['cred']}/reveal", htmx=htmx)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == (200 if htmx else 403)  # htmx swaps only 2xx: the refusal is the fragment
    assert SECRETS[whose] not in body and re.search(r"only the session's assigned agent \(agent\)", body)
    for page in (f"/staff/tickets/{ids['ticket']}", f"/staff/tickets/{ids['ticket']}/ops"):
        assert SECRETS[whose] not in send(world, client, role, "GET", page, htmx=htmx).get_data(as_text=True)
    assert cross.snapshot() == before


@pytest.mark.parametrize("whose", ["owner", "reseller"])
def test_the_sessions_agent_does_see_them_and_the_view_is_recorded(cross, whose):
    # the control for the refusals above: the same request by the agent succeeds
    world, ids = cross.world, cross.targets[whose]
    agent = cross.agent
    views = CredentialView.select().where(CredentialView.credential == ids["cred"]).count()
    response = send(world, agent, "staff", "POST", f"/staff/credentials/{ids['cred']}/reveal", htmx=True)
    assert response.status_code == 200 and SECRETS[whose] in response.get_data(as_text=True)
    assert CredentialView.select().where(CredentialView.credential == ids["cred"]).count() == views + 1
    assert Credential.get_by_id(ids["cred"]).ciphertext is not None


def _missing_urls(app):
    """Every rule with an integer id, all ids set to one that does not exist, with its methods."""
    world_slug = "installation"
    for rule in app.url_map.iter_rules():
        ints = [a for a in rule.arguments if a.endswith("_id")]
        if not ints:
            continue
        values = {a: MISSING for a in ints} | {"action": next(iter(_choices(rule))), "slug": world_slug}
        url = rule.rule
        for name, value in values.items():
            url = re.sub(rf"<[^<>]*:{name}>|<{name}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def _choices(rule):
    match = re.search(r"<any\(([^)]*)\):action>", rule.rule)
    return [c.strip() for c in match.group(1).split(",")] if match else [None]


@pytest.mark.parametrize("role", ["PRO", "staff", "admin"])
def test_ids_that_do_not_exist_are_404_everywhere(cross, role):
    world, before = cross.world, cross.snapshot()
    client, wrong = world.client(role), []
    cases = list(_missing_urls(world.app))
    assert len(cases) > 20  # the URL map was read
    ticket = cross.own["PRO"] if role == "PRO" else cross.targets["owner"]["ticket"]
    cases.append(("GET", f"/tickets/{ticket}/attachments/{MISSING}"))  # a real ticket, no such file
    for method, url in cases:
        for htmx in (False, True):
            status = send(world, client, role, method, url, {"body": "x", "status": "closed"}, htmx).status_code
            if status != 404:
                wrong.append(f"{method} {url} {'htmx' if htmx else 'plain'}: {status}")
    assert wrong == []
    assert cross.snapshot() == before
