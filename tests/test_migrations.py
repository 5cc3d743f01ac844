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
