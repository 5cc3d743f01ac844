"""Bulk data for the benchmarks: open tickets at every level, forum threads awaiting staff, people.

Rows go in with one prepared INSERT run over big batches (sqlite3's executemany inside one
transaction; psycopg2's execute_values on PostgreSQL), into the tables and indexes the
migrations made, with the rank band and first-response due time the policy gives each level
(policy 2.1, 3.4, 4.6), so the queue the benchmark reads is the queue the app would have built
itself (the full seed, 100,000 requests: 17.5 s of CPU; a million, `--size huge`, about ten times that).
"""
import datetime
import random
from dataclasses import dataclass, field

from peewee import AutoField

from portal.db import db, is_sqlite, utcnow, write_tx
from portal.demo.accounts import RELEASES
from portal.models import (LICENSE_TYPES, PRODUCTS, Attachment, Category, License, Message, Order, Post, Release,
                           RemoteSession, Thread, Ticket, User)
from portal.passwords import hash_password
from portal.policy import LEVELS
from portal.services import get_policy

PASSWORD = "bench password 1234"
BATCH = 10_000
# level mix of the open queue: paying levels are the larger part, as in a real helpdesk
LEVEL_WEIGHTS = {"SITE": 1, "PRO": 3, "PLUS": 3, "STARTER": 3, "RESELLER": 1, "FREE": 4, "TRIAL": 1}
VERSIONS = {"Remote Utilities": ["8.1.0.3", "8.0.1.2", "7.6.2.0", "6.12.0.1"],
            "Remote Utilities Server": ["4.1.0.2", "3.2.0.1"]}
CONVERSATION = [
    ("customer", "The Host stops answering after the machine wakes from sleep; the log is attached."),
    ("staff", "Thank you. Which Windows build is it, and is the Host installed as a service?"),
    ("customer", "Windows 11 23H2, installed as a service with the default settings."),
    ("staff", "Please try 8.1.0.3: it fixes a wake-from-sleep issue in the Host service."),
    ("customer", "Updated; it has worked for a day now. I will report back after the weekend."),
    ("staff", "Good to hear. We keep the ticket open until you confirm."),
]


@dataclass
class Seeded:
    """Who and what the benchmark uses after seeding."""
    staff_email: str
    owner_email: str          # a customer with many tickets
    ticket_id: int            # one of the owner's tickets, with a conversation
    submitters: list = field(default_factory=list)  # customers who file tickets during the run
    open_tickets: int = 0
    threads: int = 0


def _batches(rows, size=BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _insert(model, rows):
    """Insert plain rows (dicts with the same keys; Python-side defaults filled in) in one transaction."""
    if not rows:
        return
    meta = model._meta
    names = list(dict.fromkeys(name for row in rows[:1000] for name in row))  # rows differ in a few keys
    extra = [f for f in meta.sorted_fields
             if f.name not in names and f.default is not None and not isinstance(f, AutoField)]
    defaults = {f.name: f.default() if callable(f.default) else f.default
                for f in meta.sorted_fields if f.default is not None}
    fields = [meta.fields[name] for name in names] + extra
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    with write_tx():
        cursor = db.cursor()
        for chunk in _batches(rows):
            values = [tuple(f.db_value(row.get(f.name, defaults.get(f.name))) for f in fields)
                      for row in chunk]
            if is_sqlite():
                marks = ", ".join("?" * len(fields))
                cursor.executemany(f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({marks})', values)
            else:
                from psycopg2.extras import execute_values
                execute_values(cursor, f'INSERT INTO "{meta.table_name}" ({columns}) VALUES %s', values,
                               page_size=BATCH)


def _next_id(model):
    return (model.select(model.id).order_by(model.id.desc()).limit(1).scalar() or 0) + 1


def _sync_sequence(model):
    """PostgreSQL: the id sequence after rows inserted with explicit ids."""
    if not is_sqlite():
        table = model._meta.table_name
        db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f'(SELECT MAX(id) FROM "{table}"))')


def _due(policy, opened, level, cache):
    """The policy's first-response due time, cached per (minute, level)."""
    key = (opened, level)
    if key not in cache:
        cache[key] = policy.first_response_due(opened, level)
    return cache[key]


def _users(count, submitters, hashed, now, version):
    rows = [dict(email="staff@bench.test", password_hash=hashed, role="staff", display_name="Bench Staff",
                 verified_at=now, level="FREE"),
            dict(email="owner@bench.test", password_hash=hashed, role="customer", level="PRO",
                 level_reason="PRO: bench", verified_at=now, policy_accepted_at=now, policy_version=version)]
    rows += [dict(email=f"submit{i}@bench.test", password_hash=hashed, role="customer", level="PRO",
                  level_reason="PRO: bench", verified_at=now, policy_accepted_at=now, policy_version=version)
             for i in range(submitters)]
    levels = list(LEVEL_WEIGHTS)
    for i in range(count):
        level = levels[i % len(levels)]
        rows.append(dict(email=f"c{i}@bench.test", password_hash=hashed, verified_at=now, level=level,
                         role="reseller" if level == "RESELLER" else "customer",
                         level_reason=f"{level}: bench", policy_accepted_at=now, policy_version=version))
    _insert(User, rows)


def _licenses(users, today):
    """An order and a bound license for every account whose level comes from one (policy 2.1, 4.5),
    so the level the portal recomputes on each ticket is the level seeded."""
    licensed = [u for u in users if u.level in LICENSE_TYPES and u.role == "customer"]
    _insert(Order, [dict(number=f"BENCH-{u.id}", delivery_email=u.email) for u in licensed])
    orders = dict(Order.select(Order.delivery_email, Order.id).where(Order.number.startswith("BENCH-")).tuples())
    days = datetime.timedelta(days=20)  # a trial lasts 30 days
    _insert(License, [dict(key=f"RUBENCH-{u.id:07d}", order=orders[u.email], type=u.level, user=u.id, bound_at=utcnow(),
                           purchased_on=today - days, expires_on=today + days) for u in licensed])


def _verdicts(policy):
    """policy 7.2: the verdict on each seeded version against the seeded releases."""
    return {(product, version): policy.judge_version(version, RELEASES[product]).status
            for product, versions in VERSIONS.items() for version in versions}


def _ticket_row(policy, rng, requester, level, now, cache, status="open"):
    product = PRODUCTS[rng.randrange(len(PRODUCTS))]
    version = rng.choice(VERSIONS[product])
    opened = now - datetime.timedelta(minutes=rng.randrange(30 * 24 * 60))
    opened = opened.replace(second=0, microsecond=0)
    return dict(requester=requester, product=product, version=version,
                version_status=cache["verdicts"][(product, version)], subject=f"Bench request {rng.randrange(10**6)}: Host does not connect",
                status=status, level=level, rank_band=policy.rank_band("ticket", level), opened_at=opened,
                due_at=_due(policy, opened, level, cache), policy_version=policy.version,
                awaiting_staff=status == "open", updated_at=opened)


def _tickets(rows):
    """Insert tickets with ids of our own, and one opening message each."""
    body = "The Host does not connect after the update; the Viewer shows error 0x0003. Log attached."
    first = _next_id(Ticket)
    for i, row in enumerate(rows):
        row["id"] = first + i
    _insert(Ticket, rows)
    _insert(Message, [dict(ticket=row["id"], author=row["requester"], body=body, created_at=row["opened_at"])
                      for row in rows])
    _sync_sequence(Ticket)
    _sync_sequence(Message)


def _threads(policy, rng, count, authors, now, cache):
    with write_tx():
        category = Category.create(slug="bench", name="Bench", description="Benchmark threads", position=9)
    levels = [u.level for u in authors]
    rows = []
    for i in range(count):
        author = authors[i % len(authors)]
        created = (now - datetime.timedelta(minutes=rng.randrange(30 * 24 * 60))).replace(second=0, microsecond=0)
        rows.append(dict(category=category.id, author=author.id, title=f"Bench thread {i}: relay question",
                         product=PRODUCTS[i % 2], created_at=created, last_post_at=created, level=levels[i % len(levels)],
                         rank_band=policy.rank_band("forum", levels[i % len(levels)]),
                         due_at=_due(policy, created, levels[i % len(levels)], cache), awaiting_staff=True))
    first = _next_id(Thread)
    for i, row in enumerate(rows):
        row["id"] = first + i
    _insert(Thread, rows)
    _insert(Post, [dict(thread=row["id"], author=row["author"], created_at=row["created_at"],
                        body="How do I route the Viewer through our own relay server?") for row in rows])
    _sync_sequence(Thread)
    _sync_sequence(Post)


def _conversation(ticket_id, owner, staff):
    """The ticket both ticket pages show: 7 messages, two files on them, a remote session asked for."""
    with write_tx():
        at = Ticket.get_by_id(ticket_id).opened_at
        Message.insert_many([dict(ticket=ticket_id, author=owner.id if who == "customer" else staff.id, body=text,
                                  created_at=at + datetime.timedelta(minutes=5 * (n + 1)))
                             for n, (who, text) in enumerate(CONVERSATION)]).execute()
        first, _, third = list(Message.select(Message.id).where(Message.ticket == ticket_id)
                               .order_by(Message.id).limit(3).tuples())
        Attachment.insert_many([
            dict(ticket=ticket_id, message=first[0], uploaded_by=owner.id, filename="host.log",
                 stored_name=f"bench-{ticket_id}-1", content_type="text/plain", size=48_213, created_at=at),
            dict(ticket=ticket_id, message=third[0], uploaded_by=owner.id, filename="viewer-error.png",
                 stored_name=f"bench-{ticket_id}-2", content_type="image/png", size=182_004, created_at=at),
        ]).execute()
        RemoteSession.create(ticket=ticket_id, requested_by=owner.id)


def _releases():
    rows = []
    for product, versions in RELEASES.items():
        for version in versions:
            major, minor, sub, patch = (int(p) for p in version.split("."))
            rows.append(dict(product=product, version=version, major=major, minor=minor, subminor=sub, patch=patch))
    _insert(Release, rows)


def seed(open_tickets, owner_tickets=600, customers=2000, submitters=16, seed_value=7):
    """Fill an empty, migrated database (inside an app context); returns Seeded."""
    policy, rng, now = get_policy(), random.Random(seed_value), utcnow()
    cache = {"verdicts": _verdicts(policy)}
    _releases()
    _users(customers, submitters, hash_password(PASSWORD), now, policy.version)
    by_email = {u.email: u for u in User.select(User.id, User.email, User.level, User.role)}
    _licenses(by_email.values(), now.date())
    owner, staff = by_email["owner@bench.test"], by_email["staff@bench.test"]
    people = sorted((u for e, u in by_email.items() if e.startswith("c")), key=lambda u: u.id)
    by_level = {level: [u for u in people if u.level == level] for level in LEVELS}
    weighted = [lvl for lvl, w in LEVEL_WEIGHTS.items() for _ in range(w)]
    statuses = ["open", "waiting", "open", "closed", "solved", "open"]
    owner_rows = [_ticket_row(policy, rng, owner.id, "PRO", now, cache, statuses[i % 6]) for i in range(owner_tickets)]
    queue_rows = []
    for _ in range(open_tickets - sum(row["status"] == "open" for row in owner_rows)):
        level = rng.choice(weighted)
        queue_rows.append(_ticket_row(policy, rng, rng.choice(by_level[level]).id, level, now, cache))
    owner_rows.sort(key=lambda row: row["opened_at"])
    _tickets(queue_rows)
    _tickets(owner_rows)
    ticket_id = Ticket.select(Ticket.id).where(Ticket.requester == owner.id).order_by(Ticket.id.desc()).scalar()
    _conversation(ticket_id, owner, staff)
    forum_people = [u for u in people if u.role != "reseller"]  # policy 3.2: resellers have no forum
    _threads(policy, rng, max(1, open_tickets // 20), forum_people, now, cache)
    db.execute_sql("PRAGMA optimize" if is_sqlite() else "ANALYZE")  # fresh statistics for the planner
    depth = Ticket.select().where((Ticket.status == "open") & Ticket.awaiting_staff).count()
    return Seeded(staff_email=staff.email, owner_email=owner.email, ticket_id=ticket_id,
                  submitters=[f"submit{i}@bench.test" for i in range(submitters)], open_tickets=depth,
                  threads=Thread.select().where(Thread.awaiting_staff).count())
