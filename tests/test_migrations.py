"""Schema only through numbered migrations; they build exactly the models (issue 2 part 3)."""
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from portal import db as database
from portal.config import ROOT
from portal.models import ALL_MODELS
from tests.conftest import drop_database, fresh_database_url


def test_migrations_build_the_models_and_revert(tmp_path):
    url = fresh_database_url(tmp_path)
    try:
        database.bind(url)
        with database.db.connection_context():
            runner = Runner(database.db.obj, directory=str(ROOT / "migrations"))
            applied = runner.up()
            assert applied and applied[0] == "0001_initial"
            assert [m.name for m in runner.status() if not m.applied] == []
            diff = diff_models(database.db.obj, ALL_MODELS)
            assert not diff, diff
            names = [m._meta.table_name for m in ALL_MODELS]
            assert set(names) <= set(database.db.obj.get_tables())
            while runner.down():
                pass
            assert not set(names) & set(database.db.obj.get_tables())
            runner.up()
            assert not diff_models(database.db.obj, ALL_MODELS)
    finally:
        drop_database(url)


# Rolling deploys (docs/deployment.md): old and new nodes run side by side on one database, so a
# migration is either an *expand* (only adds what old code ignores) or a *contract* (removes what no
# running node uses any more, a release later). Migrations written before the portal ran on
# several nodes that add a NOT NULL column with no database default (peewee's add_column fills the
# rows, but the column keeps no DEFAULT, so an old node's INSERT without it fails) declare
# PHASE = "offline": every node stopped before they run. No new migration may be offline.
PHASES = ("expand", "contract", "offline")
OFFLINE_BEFORE_CLUSTER = {"0005_category_staff_threads", "0007_ticket_level_reason", "0008_ticket_revision",
                          "0011_session_length", "0013_mail_preferences"}


def _schema(db):
    """{table: ({column: (type, nullable, default)}, {index name: (columns, unique)})}"""
    tables = {}
    for table in db.get_tables():
        columns = {c.name: (c.data_type.lower(), c.null, c.default) for c in db.get_columns(table)}
        indexes = {i.name: (tuple(i.columns), i.unique) for i in db.get_indexes(table)}
        tables[table] = (columns, indexes)
    return tables


def expand_problems(before, after):
    """What a migration did that an old node could trip over (empty for a clean expand)."""
    problems = []
    for table, (columns, indexes) in before.items():
        if table not in after:
            problems.append(f"table {table} dropped or renamed")
            continue
        new_columns, new_indexes = after[table]
        for name, (kind, null, default) in columns.items():
            if name not in new_columns:
                problems.append(f"column {table}.{name} dropped or renamed")
            elif new_columns[name][0] != kind:
                problems.append(f"column {table}.{name} changed type {kind} → {new_columns[name][0]}")
            elif null and not new_columns[name][1]:
                problems.append(f"column {table}.{name} made NOT NULL")
        for name, (kind, null, default) in new_columns.items():
            if name not in columns and not null and default is None:
                problems.append(f"column {table}.{name} added NOT NULL without a database default")
        problems += [f"index {name} on {table} dropped" for name in indexes if name not in new_indexes]
    return problems


def _migrations():
    import importlib.util
    for path in sorted((ROOT / "migrations").glob("[0-9]*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield path.stem, module


def test_every_migration_declares_its_phase():
    phases = {name: getattr(module, "PHASE", None) for name, module in _migrations()}
    undeclared = {name: phase for name, phase in phases.items() if phase not in PHASES}
    assert not undeclared, f"set PHASE = 'expand' or 'contract' in {sorted(undeclared)} (docs/deployment.md)"
    assert {n for n, p in phases.items() if p == "offline"} <= OFFLINE_BEFORE_CLUSTER  # none new


def test_expand_migrations_only_add(tmp_path):
    """Each expand migration, applied to an empty database after the ones before it, keeps every
    table, column (type, NULL-ability) and index, and adds columns old code can ignore."""
    url = fresh_database_url(tmp_path)
    try:
        database.bind(url)
        with database.db.connection_context():
            db = database.db.obj
            runner = Runner(db, directory=str(ROOT / "migrations"))
            checked = []
            for name, module in _migrations():
                before = _schema(db)
                runner.up(target=name)
                if module.PHASE == "expand":
                    assert expand_problems(before, _schema(db)) == [], name
                    checked.append(name)
                elif module.PHASE == "offline":  # the rule would have caught it
                    assert expand_problems(before, _schema(db)), f"{name} is an expand: say so"
            assert "0012_outbox" in checked
    finally:
        drop_database(url)


def test_the_expand_check_catches_what_breaks_an_old_node():
    before = {"ticket": ({"id": ("integer", False, None), "note": ("text", True, None)},
                         {"ticket_note": (("note",), False)})}
    assert expand_problems(before, before) == []
    grown = {"ticket": ({**before["ticket"][0], "extra": ("text", True, None), "count": ("integer", False, "0")},
                        before["ticket"][1]), "other": ({}, {})}
    assert expand_problems(before, grown) == []
    assert expand_problems(before, {}) == ["table ticket dropped or renamed"]
    assert expand_problems(before, {"ticket": ({"id": ("integer", False, None)}, {})}) == [
        "column ticket.note dropped or renamed", "index ticket_note on ticket dropped"]
    strict = {"ticket": ({"id": ("integer", False, None), "note": ("text", False, None),
                          "flag": ("boolean", False, None)}, before["ticket"][1])}
    assert expand_problems(before, strict) == ["column ticket.note made NOT NULL",
                                               "column ticket.flag added NOT NULL without a database default"]
