"""Test data factories: make_user, make_order, make_license, make_ticket, make_thread, make_partner,
csrf_token."""
import contextlib
import datetime
import itertools
import re

from argon2 import PasswordHasher, Type

from portal.db import utcnow
from portal.models import Category, License, Message, Order, Partner, Post, Thread, Ticket, User
from portal.policy import load_policy

PASSWORD = "correct horse battery"
_HASH = None
_seq = itertools.count(1)

LICENSED = {"SITE", "PRO", "PLUS", "STARTER", "TRIAL"}
POLICY = load_policy()


def today(days=0):
    """The policy's date (Pacific) `days` from now: licenses start and expire by it (policy 2.1),
    and the machine's date.today() is a day ahead of it every evening (UTC)."""
    return POLICY.local_date(utcnow()) + datetime.timedelta(days=days)


def password_hash():
    """The one hash every factory account carries, made with argon2id's cheapest parameters:
    logging in verifies with the parameters stored in the hash, so the suite's thousands of logins
    cost microseconds each instead of ~20 ms. Accounts made through the portal (registration,
    invites, password changes) get the production parameters, checked in tests/web/test_auth.py."""
    global _HASH
    if _HASH is None:
        _HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID).hash(PASSWORD)
    return _HASH


def make_user(role="customer", level=None, verified=True, email=None, **overrides):
    """A user; a customer `level` given as a license type gets a matching bound license."""
    n = next(_seq)
    email = email or f"{(level or role).lower()}{n}@example.test"
    user = User.create(email=email, password_hash=password_hash(), role=role,
                       verified_at=utcnow() if verified else None, **overrides)
    if level in LICENSED:
        make_license(level, user=user)
    if level or role == "reseller":
        from portal.services.licenses import refresh_level
        refresh_level(user)
    return User.get_by_id(user.id)


def make_order(email, license_type="PRO", key=None, expires_on=None, number=None):
    """An order with one license delivered to `email`."""
    n = next(_seq)
    order = Order.create(number=number or f"ORD-{n:05d}", delivery_email=email)
    lic = License.create(key=key or f"RU{license_type[:3]}-{n:05d}-TEST-{n:04d}", order=order,
                         type=license_type, purchased_on=today(-10), expires_on=expires_on or today(365))
    return order, lic


def make_license(license_type, user=None, **kwargs):
    """A license, bound to `user` when given."""
    _, lic = make_order(user.email if user else f"nobody{next(_seq)}@example.test", license_type, **kwargs)
    if user is not None:
        License.update(user=user, bound_at=utcnow()).where(License.id == lic.id).execute()
    return License.get_by_id(lic.id)


def _ranked(channel, level, opened, due):
    """The policy's band and due time; the app's policy when there is an app context, else the
    published one (some tests make tickets before any context)."""
    from flask import has_app_context

    from portal.services import get_policy
    policy = get_policy() if has_app_context() else load_policy()
    opened = opened or utcnow()
    due = due or policy.first_response_due(opened, level)
    return policy, policy.rank_band(channel, level), opened, due


def make_ticket(requester, subject="Viewer cannot connect", body="It does not connect after the update.",
                level=None, opened=None, due=None, **overrides):
    """A ticket awaiting staff, ranked and due as the policy says; its first message is `body`
    (none when body=None, for tests that count the messages a ticket receives)."""
    level = level or requester.level
    policy, band, opened_at, due_at = _ranked("ticket", level, opened, due)
    values = dict(requester=requester, product="Remote Utilities", version="7.6.2.0",
                  version_status="current", subject=subject, level=level, rank_band=band,
                  opened_at=opened_at, due_at=due_at, policy_version=policy.version, updated_at=opened_at)
    values.update(overrides)
    ticket = Ticket.create(**values)
    if body is not None:
        Message.create(ticket=ticket, author=requester, body=body, created_at=opened_at)
    return ticket


def make_partner(name=None, number=None, managers=1, members=0):
    """A partner with `managers` manager and `members` member accounts (resellers): (partner, [accounts])."""
    n = next(_seq)
    partner = Partner.create(name=name or f"Partner {n}", number=number or f"P-{n:05d}")
    people = [make_user(role="reseller", partner=partner, partner_role=role, email=f"{role}{next(_seq)}@partner.test")
              for role in ["manager"] * managers + ["member"] * members]
    return partner, people


def make_category(slug="general", name="General", public=True, position=0):
    """A forum category."""
    return Category.create(slug=slug, name=name, public=public, position=position)


def make_thread(author, category=None, title="How do I install the Host?", body="Step by step, please.",
                level=None, opened=None, due=None, **overrides):
    """A thread started through the forum service (queue fields and search index included).

    Given `level`, `opened`, `due` or field overrides it is a queue-shaped thread written directly,
    ranked as the policy says: the staff queue holds threads of authors the forum would refuse today
    (a reseller, an address no longer verified)."""
    from portal.services import forum
    category = category or Category.get_or_none(Category.slug == "general") or make_category()
    if not (level or opened or due or overrides):
        return forum.start_thread(User.get_by_id(author.id), category, title, body)
    level = level or author.level
    _, band, created_at, due_at = _ranked("forum", level, opened, due)
    values = dict(category=category, author=author, title=title, product="Remote Utilities",
                  created_at=created_at, last_post_at=created_at, level=level, rank_band=band,
                  due_at=due_at) | overrides
    thread = Thread.create(**values)
    Post.create(thread=thread, author=author, body=body, created_at=created_at)
    return thread


def csrf_token(client, url="/policy"):
    """The CSRF token of the client's session, read from a page (flask-wtf ties it to the session):
    a form's hidden field, else the base template's hx-headers (every page has them)."""
    html = client.get(url).get_data(as_text=True)
    match = (re.search(r'name="csrf_token" value="([^"]+)"', html)
             or re.search(r'"X-CSRFToken": "([^"]+)"', html))
    assert match, f"no csrf token on {url}"
    return match.group(1)


def logged_in(app, user):
    """A test client of `app` logged in as `user` through the login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.status_code
    return client


def tokenless(html):
    """A page without its CSRF tokens (they differ per request): pages compared with and without
    the fragment cache."""
    return re.sub(r'(name="csrf_token" value=|"X-CSRFToken": )"[^"]+"', r"\1TOKEN", html)


@contextlib.contextmanager
def counting_queries():
    """Collect every SQL statement the bound database runs inside the block (N+1 tests)."""
    from portal import db as database
    target, seen = database.db.obj, []
    original = target.execute_sql

    def counted(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)
    target.execute_sql = counted
    try:
        yield seen
    finally:
        del target.execute_sql


def in_app_context(app, fn):
    """fn wrapped to run in its own short app context (one pushed for a whole test would be
    shared with every test-client request, and with it `g`, where Flask-Login keeps the user)."""
    def wrapped(*args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)
    return wrapped


def race_posts(clients, url, forms, seconds=60):
    """POST forms[i] (CSRF token included) from clients[i], all released at once by a barrier,
    each client in its own thread and so on its own database connection; returns
    [(status, body)] in client order."""
    import threading

    from portal import db as database
    barrier, results = threading.Barrier(len(clients)), [None] * len(clients)

    def run(i):
        try:
            barrier.wait(timeout=10)
            response = clients[i].post(url, data=forms[i])
            results[i] = (response.status_code, response.get_data(as_text=True))
        finally:
            database.close_connection()  # this thread's connection
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds)
    return results
