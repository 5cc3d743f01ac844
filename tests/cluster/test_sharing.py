"""No node-local state: what one node did, the other knows (sessions, their end, attachments).

Each test talks to the nodes' own ports (past nginx), so a node's answer is its own."""
import json
import re

import pytest

from portal.config import ROOT
from tests import factories
from tests.cluster.conftest import browser, csrf, login, make_users, on_node
from tests.load.conftest import form_data

NEW_PASSWORD = "a completely new passphrase 2026"


def logged_in(session):
    """True when the session's cookie still belongs to a logged-in account on that node."""
    answer = session.get(session.base_url + "/tickets/", allow_redirects=False, timeout=30)
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200


def test_a_login_through_node_a_is_valid_on_node_b_and_through_nginx(cluster):
    [email] = make_users(cluster, 1, level="PRO")
    session = login(cluster, email, node=0)
    assert logged_in(on_node(session, cluster, 0))
    assert logged_in(on_node(session, cluster, 1))
    assert logged_in(session)  # through nginx, whichever node answers


def test_a_logout_on_node_a_ends_the_session_on_both_nodes(cluster):
    [email] = make_users(cluster, 1, level="PRO")
    leaving, other_device = login(cluster, email, node=0), login(cluster, email, node=1)
    assert logged_in(on_node(other_device, cluster, 1))
    on_a = on_node(leaving, cluster, 0)
    answer = on_a.post(on_a.base_url + "/logout", data={"csrf_token": csrf(on_a, "/tickets/")},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    for node in (0, 1):  # the logged-out cookie replayed, and the account's other session
        assert not logged_in(on_node(leaving, cluster, node))
        assert not logged_in(on_node(other_device, cluster, node))


def test_a_password_change_on_node_a_ends_the_other_sessions_on_both_nodes(cluster):
    [email] = make_users(cluster, 1, level="PRO")
    changing, other_device = login(cluster, email, node=0), login(cluster, email, node=1)
    on_a = on_node(changing, cluster, 0)
    answer = on_a.post(on_a.base_url + "/account/password", allow_redirects=False, timeout=30, data={
        "csrf_token": csrf(on_a, "/account/"), "current": factories.PASSWORD,
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert answer.status_code == 302, answer.text[:500]
    on_a.cookies.update(answer.cookies)  # this browser stays in with its renewed session
    for node in (0, 1):
        assert not logged_in(on_node(other_device, cluster, node))
    assert logged_in(on_node(on_a, cluster, 1))
    assert logged_in(on_node(login(cluster, email, NEW_PASSWORD, node=1), cluster, 0))


def test_a_file_uploaded_through_node_a_downloads_through_node_b(cluster):
    [email] = make_users(cluster, 1, level="PRO")
    session = login(cluster, email, node=0)
    on_a = on_node(session, cluster, 0)
    content = "".join(f"2026-12-01 10:{n % 60:02d} viewer: connection lost (try {n}) – retrying\n"
                      for n in range(400)).encode()
    data = form_data(on_a.get(on_a.base_url + "/tickets/new", timeout=30).text) | {
        "subject": "A log from node A", "body": "The viewer disconnects after five minutes; log attached."}
    answer = on_a.post(on_a.base_url + "/tickets/new", data=data, allow_redirects=False, timeout=30,
                       files=[("files", ("viewer.log", content, "text/plain"))])
    assert answer.status_code == 302, re.findall(r'(?:error|alert)[^>]*>([^<]+)', answer.text)
    ticket_url = answer.headers["Location"]
    page = on_a.get(on_a.base_url + ticket_url, timeout=30).text
    link = re.search(r'href="(/tickets/\d+/attachments/\d+)"', page).group(1)
    assert on_a.get(on_a.base_url + link, timeout=30).content == content
    on_b = on_node(session, cluster, 1)
    download = on_b.get(on_b.base_url + link, timeout=30)
    assert download.status_code == 200 and download.content == content


def test_one_mail_sender_and_one_inbound_server_per_cluster(cluster):
    """Node 1 runs with PORTAL_MAIL_SENDER_OFF and PORTAL_MAIL_INBOUND_OFF (wsgi.ini): two inbound
    servers on one machine would fight over the port."""
    for command in ("portal send-mail", "portal receive-mail"):
        assert command in cluster.node_log(0)
        assert command not in cluster.node_log(1)


def test_nginx_serves_static_files_redirects_http_and_sets_the_request_id(cluster):
    session = browser(cluster)
    htmx = session.get(cluster.url + "/static/js/htmx.min.js", timeout=30)
    assert htmx.status_code == 200 and "immutable" in htmx.headers["Cache-Control"]
    assert htmx.content == (ROOT / "static" / "js" / "htmx.min.js").read_bytes()
    page = session.get(cluster.url + "/login", headers={"X-Request-ID": "forged-by-a-client"}, timeout=30)
    ids = page.raw.headers.getlist("X-Request-ID")
    assert len(ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids[0])  # nginx's own: the client is no trusted hop
    plain = session.get(cluster.http_url + "/login", allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"] == cluster.url + "/login"
    nodes_log = cluster.node_log(0) + cluster.node_log(1)
    access = [json.loads(line) for line in nodes_log.splitlines() if line.startswith("{")]
    [seen] = [entry for entry in access if entry.get("request_id") == ids[0]]  # nginx's id reached the app
    assert (seen["method"], seen["path"], seen["status"]) == ("GET", "/login", 200)
    assert "/static/js/htmx.min.js" not in nodes_log  # never through a node


def test_metrics_are_scraped_from_a_node_never_through_nginx(cluster):
    token = {"Authorization": f"Bearer {cluster.env()['PORTAL_METRICS_TOKEN']}"}
    direct = browser(cluster, cluster.node_url(0)).get(cluster.node_url(0) + "/metrics", headers=token, timeout=30)
    assert direct.status_code == 200 and "portal_http_requests" in direct.text
    public = browser(cluster).get(cluster.url + "/metrics", headers=token, timeout=30)
    assert public.status_code == 404 and "portal_http_requests" not in public.text


def test_nginx_refuses_a_body_larger_than_the_upload_limit(cluster):
    session = browser(cluster)
    answer = session.post(cluster.url + "/login", data=b"x" * (11 * 1024 * 1024), timeout=60,
                          headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code == 413 and "nginx" in answer.text  # refused at nginx, before any node
