"""policy 3.2 Decision: the forum does not exist for reseller accounts, reading included."""
from tests.factories import csrf_token


def forum_rules(app):
    """Every URL rule under /forum, so a new route cannot be forgotten."""
    rules = [r for r in app.url_map.iter_rules() if r.rule == "/forum" or r.rule.startswith("/forum/")]
    assert len(rules) >= 12
    return rules


def test_every_forum_url_is_404_for_a_reseller(client, login, app, make_user, make_thread, general):
    customer = make_user(level="PRO")
    thread = make_thread(customer, general)
    reseller = make_user(role="reseller")
    login(reseller)
    csrf = csrf_token(client)
    for rule in forum_rules(app):
        url = rule.rule.replace("<int:thread_id>", str(thread.id)).replace("<int:post_id>", "1").replace("<slug>", "general")
        assert "<" not in url, url
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}) + ["GET", "POST"]:
            data = {"csrf_token": csrf, "body": "hello", "title": "A reseller thread", "category": "general"}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, (method, url, response.status_code)
    for url in ("/forum/nothing-here", "/forum/t/999/nope", "/forum/search?q=install"):
        assert client.get(url).status_code == 404


def test_reseller_sees_no_forum_link(client, login, make_user):
    login(make_user(role="reseller"))
    html = client.get("/policy").get_data(as_text=True)
    assert 'href="/forum' not in html


def test_customer_reaches_the_same_rules(client, login, app, make_user, make_thread, general):
    """The control: the same GET rules answer a customer (so the 404s above are the reseller rule)."""
    customer = make_user(level="PRO")
    thread = make_thread(customer, general)
    login(customer)
    for rule in forum_rules(app):
        if "GET" not in rule.methods:
            continue
        url = rule.rule.replace("<int:thread_id>", str(thread.id)).replace("<int:post_id>", "1").replace("<slug>", "general")
        assert client.get(url).status_code in (200, 302), url
