"""Test data factories: make_user(**overrides), make_order(...), csrf_token(client, url)."""
import contextlib
import datetime
import itertools
import re

from portal import timeutil
from portal.db import utcnow
from portal.models import License, Order, User
from portal.passwords import hash_password
from portal.policy import load_policy

PASSWORD = "correct horse battery"
_HASH = None
_seq = itertools.count(1)

LICENSED = {"SITE", "PRO", "PLUS", "STARTER", "TRIAL"}
POLICY_ZONE = load_policy().zone


def today(days=0):
    """The policy's date (Pacific) `days` from now: licenses start and expire by it (policy 2.1),
    and the machine's date.today() is a day ahead of it every evening (UTC)."""
    return timeutil.now().astimezone(POLICY_ZONE).date() + datetime.timedelta(days=days)


def password_hash():
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
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


def csrf_token(client, url="/login"):
    """The CSRF token from a page's form (flask-wtf ties it to the client's session)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no csrf token on {url}"
    return match.group(1)


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
