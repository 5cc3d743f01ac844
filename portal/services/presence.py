"""Who else has a staff page of a ticket or forum thread open, and who is typing a reply there.

An open page beats every few seconds (it polls its presence fragment) and the reply box sends a
typing beat while keys are pressed. An entry counts only while its last beat is younger than
TTL (typing: TYPING_TTL), so a closed tab, a lost network or a killed browser leaves nothing
that is still shown; a tab that closes cleanly also says goodbye (`leave`).

Two stores with one interface, chosen by the PRESENCE_STORE setting (portal/config.py):
- RedisStore (PORTAL_REDIS_URL set): one sorted set per page and fact, member the user id,
  score the beat's time; old members are trimmed on each beat and every key expires.
  All workers of all machines share it. When Redis is down presence shows nothing (logged
  once): it is a convenience, never a reason to refuse a page.
- DatabaseStore: the `presence` table, one row per (kind, object, user) written by one upsert
  (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike, so racing beats cannot
  make two rows); old rows are swept on writes.
A page of queue rows is one query (or one Redis round trip) for all its rows, never one per row.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from portal import db as database
from portal.db import utcnow, write_tx
from portal.models import Presence, Thread, Ticket, User
from portal.services import runtime, setting
from portal.services.errors import NotFound

TTL = datetime.timedelta(seconds=20)        # a page that stopped beating this long ago is closed
TYPING_TTL = datetime.timedelta(seconds=8)  # keystroke beats come every 3 s while typing
KINDS = {"ticket": Ticket, "thread": Thread}
CHANNEL_KIND = {"ticket": "ticket", "forum": "thread"}  # a queue row's channel → presence kind
DEFAULT_PREFIX = "portal:presence:"

log = logging.getLogger("portal.presence")


@dataclass(frozen=True)
class Here:
    """Someone on the page: their user id and name, and whether they are typing a reply."""
    user_id: int
    name: str
    typing: bool


def _stamp(moment):
    return moment.timestamp()


class DatabaseStore:
    """The `presence` table (single machine, tests)."""

    name = "database"

    def beat(self, kind, object_id, user_id, typing, now):
        update = {Presence.seen_at: now}
        if typing:
            update[Presence.typing_at] = now
        with write_tx():
            (Presence.insert(kind=kind, object_id=object_id, user=user_id, seen_at=now,
                             typing_at=now if typing else None)
             .on_conflict(conflict_target=[Presence.kind, Presence.object_id, Presence.user], update=update)
             .execute())
            # closed tabs' rows: nobody reads them any more (the index on seen_at finds them)
            Presence.delete().where(Presence.seen_at < now - 3 * TTL).execute()

    def leave(self, kind, object_id, user_id):
        with write_tx():
            Presence.delete().where((Presence.kind == kind) & (Presence.object_id == object_id)
                                    & (Presence.user == user_id)).execute()

    def here(self, keys, now):
        """{(kind, id): [Here]} for the pages `keys`, in one query with the names joined in.

        Written as SQL text: every queue page and its poll ask this, and building the query
        through the ORM cost more than running it (docs/benchmarks.md)."""
        by_kind = {}
        for kind, object_id in keys:
            by_kind.setdefault(kind, set()).add(object_id)
        if not by_kind:
            return {}
        mark, which, params = database.db.param, [], [Presence.seen_at.db_value(now - TTL)]
        for kind, ids in by_kind.items():
            which.append(f'(p."kind" = {mark} AND p."object_id" IN ({", ".join([mark] * len(ids))}))')
            params += [kind, *sorted(ids)]
        rows = database.db.execute_sql(
            'SELECT p."kind", p."object_id", p."typing_at", u."id", u."display_name", u."email"'
            ' FROM "presence" AS p JOIN "user" AS u ON u."id" = p."user_id"'
            f' WHERE p."seen_at" > {mark} AND ({" OR ".join(which)})', params).fetchall()
        found, typing_since = {}, now - TYPING_TTL
        for kind, object_id, typing_at, user_id, display_name, email in rows:
            typing_at = Presence.typing_at.python_value(typing_at)
            name = User.name_of(display_name, email)
            found.setdefault((kind, object_id), []).append(Here(user_id, name, typing_at is not None
                                                                and typing_at > typing_since))
        return found


class RedisStore:
    """Sorted sets in Redis: `<prefix><kind>:<id>:seen` and `...:typing`, scored by beat time."""

    name = "redis"

    def __init__(self, url, prefix=DEFAULT_PREFIX):
        import redis
        self._errors = redis.RedisError
        # short timeouts: a page waits at most this long for a store that does not answer
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self.down = False

    def _key(self, kind, object_id, fact):
        return f"{self.prefix}{kind}:{object_id}:{fact}"

    def _run(self, fill, default):
        """Run the commands `fill` puts on a pipeline in one round trip; `default` when Redis is
        down, logged once until it answers again."""
        try:
            pipe = self.client.pipeline(transaction=False)
            fill(pipe)
            result = pipe.execute()
        except self._errors as exc:
            if not self.down:
                log.warning("presence store (Redis) unavailable, showing no presence: %s", exc.__class__.__name__)
            self.down = True
            return default
        if self.down:
            log.warning("presence store (Redis) answers again")
            self.down = False
        return result

    def beat(self, kind, object_id, user_id, typing, now):
        stamp, keep = _stamp(now), int(TTL.total_seconds()) * 3

        def fill(pipe):
            facts = (("seen", TTL),) + ((("typing", TYPING_TTL),) if typing else ())
            for fact, ttl in facts:
                key = self._key(kind, object_id, fact)
                pipe.zadd(key, {str(user_id): stamp})
                pipe.zremrangebyscore(key, "-inf", f"({stamp - ttl.total_seconds()}")
                pipe.expire(key, keep)  # a page nobody opens again leaves no key behind
        self._run(fill, None)

    def leave(self, kind, object_id, user_id):
        self._run(lambda pipe: [pipe.zrem(self._key(kind, object_id, fact), str(user_id))
                                for fact in ("seen", "typing")], None)

    def here(self, keys, now):
        """{(kind, id): [Here]}: one pipeline for every page, then one query for the names."""
        keys, stamp = list(dict.fromkeys(keys)), _stamp(now)
        if not keys:
            return {}

        def fill(pipe):
            for kind, object_id in keys:
                pipe.zrangebyscore(self._key(kind, object_id, "seen"), f"({stamp - TTL.total_seconds()}", "+inf")
                pipe.zrangebyscore(self._key(kind, object_id, "typing"), f"({stamp - TYPING_TTL.total_seconds()}",
                                   "+inf")
        result = self._run(fill, None)
        if not result:
            return {}
        pages = {}
        for index, key in enumerate(keys):
            seen, typing = result[2 * index], result[2 * index + 1]
            if seen:
                pages[key] = ([int(m) for m in seen], {int(m) for m in typing})
        if not pages:
            return {}
        ids = {uid for seen, _ in pages.values() for uid in seen}
        names = {u.id: u.name for u in User.select(User.id, User.display_name, User.email).where(User.id.in_(ids))}
        return {key: [Here(uid, names[uid], uid in typing) for uid in seen if uid in names]
                for key, (seen, typing) in pages.items()}


def store():
    """The configured store of the running app (one per app: Redis clients pool connections)."""
    state = runtime.current().state
    if "presence_store" not in state:
        if setting("PRESENCE_STORE", "database") == "redis":
            state["presence_store"] = RedisStore(setting("REDIS_URL"),
                                                 setting("PRESENCE_KEY_PREFIX", DEFAULT_PREFIX))
        else:
            state["presence_store"] = DatabaseStore()
    return state["presence_store"]


def _check(kind, object_id):
    """NotFound unless the ticket or thread exists (staff see every one)."""
    model = KINDS.get(kind)
    if model is None or not model.select(model.id).where(model.id == object_id).exists():
        raise NotFound(f"That {kind}")


def beat(kind, object_id, user, typing=False, now=None):
    """`user` has the page of this ticket or thread open (and types a reply when `typing`)."""
    _check(kind, object_id)
    store().beat(kind, object_id, user.id, typing, now or utcnow())


def leave(kind, object_id, user):
    """`user` closed the page (the tab's goodbye; without it the entry expires after TTL)."""
    _check(kind, object_id)
    store().leave(kind, object_id, user.id)


def _sorted(people):
    return sorted(people, key=lambda h: (not h.typing, h.name.lower(), h.user_id))


def others(kind, object_id, user, now=None):
    """Everyone but `user` on this page now, those typing first, then by name."""
    found = store().here([(kind, object_id)], now or utcnow()).get((kind, object_id), [])
    return _sorted(h for h in found if h.user_id != user.id)


def on_rows(rows, user, now=None):
    """{(channel, id): [Here]} for queue rows (channel "ticket" or "forum"), `user` left out:
    one query or one Redis round trip for the whole page."""
    keys = [(CHANNEL_KIND[row.channel], row.id) for row in rows]
    found = store().here(keys, now or utcnow())
    if not found:  # nobody on any of them, as on most loads
        return {}
    result = {}
    for row, key in zip(rows, keys):
        here = found.get(key)
        people = _sorted(h for h in here if h.user_id != user.id) if here else None
        if people:
            result[(row.channel, row.id)] = people
    return result
