"""The ticket search index filled in batches on SQLite (issue 16, migrations 0017/0018): nothing
filed is missed, nothing is indexed twice, reused ids and changes before a batch are indexed once,
and the background sender's rounds keep the backlog short."""
import pytest

from portal import db as database
from portal.models import Message, Ticket
from portal.services import search_index, ticket_search
from tests import factories
from tests.conftest import PG_URL

pytestmark = [pytest.mark.usefixtures("ctx"),
              pytest.mark.skipif(bool(PG_URL), reason="PostgreSQL indexes by trigger (GIN's pending list batches by itself)")]


def raw_rows(ticket_id):
    """Index rows of a ticket as they are now, without catching up."""
    return database.db.execute_sql("SELECT COUNT(*) FROM ticket_search WHERE ticket_id = ?",
                                   (ticket_id,)).fetchone()[0]


def duplicates():
    return database.db.execute_sql(
        "SELECT COUNT(*) FROM (SELECT rowid FROM ticket_search GROUP BY rowid HAVING COUNT(*) > 1)").fetchone()[0]


def file(customer, subject, body="The Host drops the connection."):
    return factories.make_ticket(customer, subject=subject, body=body)


def test_a_filed_ticket_waits_for_the_batch_yet_a_search_finds_it(make_user):
    ticket = file(make_user(level="PRO"), "Quasar relay timeout")
    assert raw_rows(ticket.id) == 0 and search_index.pending() > 0  # no insert trigger wrote it
    assert [r.id for r in ticket_search.search("quasar").rows] == [ticket.id]  # the search caught up
    assert raw_rows(ticket.id) == 2 and search_index.pending() == 0  # subject and first message
    assert search_index.catch_up() == 0  # nothing twice


def test_batches_index_a_long_backlog(make_user):
    customer = make_user(level="PRO")
    made = [file(customer, f"Printer nebula {n}") for n in range(5)]
    assert search_index.catch_up(batch=2) == 10
    assert all(raw_rows(t.id) == 2 for t in made) and search_index.pending() == 0 and duplicates() == 0


def test_a_subject_changed_before_the_batch_is_indexed_once_with_the_new_words(make_user):
    ticket = file(make_user(level="PRO"), "Clipboard sync broken")
    Ticket.update(subject="Drag and drop broken").where(Ticket.id == ticket.id).execute()  # the update trigger indexes it
    search_index.catch_up()
    assert duplicates() == 0 and raw_rows(ticket.id) == 2
    assert ticket_search.search("clipboard").rows == []
    assert [r.id for r in ticket_search.search("drag").rows] == [ticket.id]


def test_an_id_freed_by_deleting_the_newest_rows_is_indexed_when_it_comes_back(make_user):
    customer = make_user(level="PRO")
    old = file(customer, "Zanzibar gateway")
    search_index.catch_up()
    Ticket.delete().where(Ticket.id == old.id).execute()  # its message goes with it
    new = file(customer, "Orinoco gateway", body="Completely different words.")
    assert new.id == old.id  # SQLite reused the largest id + 1
    assert [r.id for r in ticket_search.search("orinoco").rows] == [new.id]
    assert ticket_search.search("zanzibar").rows == [] and raw_rows(new.id) == 2


def test_with_the_old_insert_triggers_back_nothing_is_indexed_twice(make_user):
    """A database before migration 0018 (or an older node beside a newer one): the triggers
    index each row at once, and the batch skips what they wrote."""
    from importlib import import_module
    from portal.config import ROOT
    import importlib.util
    spec = importlib.util.spec_from_file_location("m0018", ROOT / "migrations" / "0018_search_without_insert_triggers.py")
    m0018 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0018)
    for sql in m0018.SQLITE_TRIGGERS.values():
        database.db.execute_sql(sql)
    try:
        ticket = file(make_user(level="PRO"), "Gamma relay")
        assert raw_rows(ticket.id) == 2  # the triggers wrote it
        search_index.catch_up()
        assert raw_rows(ticket.id) == 2 and duplicates() == 0 and search_index.pending() == 0
    finally:
        for name in m0018.SQLITE_TRIGGERS:
            database.db.execute_sql(f"DROP TRIGGER {name}")


def test_the_sender_round_catches_up(app, make_user):
    from portal.mail import run_sender
    ticket = file(make_user(level="PRO"), "Delta relay")
    Message.create(ticket=ticket, author=ticket.requester, body="More words.", created_at=ticket.opened_at)
    assert search_index.pending() > 0
    run_sender(app, once=True)
    assert search_index.pending() == 0 and raw_rows(ticket.id) == 3


def test_a_failing_catch_up_never_stops_the_mail(app, make_user, monkeypatch, outbox):
    """A damaged index (FTS5 raises a plain DatabaseError) is logged; the round still delivers and
    the sender keeps going (run_sender returns its outcomes instead of raising)."""
    import peewee
    from portal.mail import run_sender

    def broken(*args, **kwargs):
        raise peewee.DatabaseError("database disk image is malformed")
    from portal.services.outbox import enqueue
    monkeypatch.setattr(search_index, "catch_up", broken)
    file(make_user(level="PRO"), "Epsilon relay")
    with database.write_tx():
        enqueue("still.mailed@example.test", "Your ticket", "We received it.")
    outcomes = run_sender(app, once=True)
    # what the round itself delivered (reading the memory outbox would deliver what is due)
    assert outcomes and any("still.mailed@example.test" in m["to"] for m in list.__iter__(outbox))
