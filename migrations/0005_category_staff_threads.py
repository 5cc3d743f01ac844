"""category.staff_threads_only: categories where only staff start threads (the announcements).

Members may still reply there. An existing `announcements` category becomes staff-only.
"""
from peewee import BooleanField

# written for one node: a NOT NULL column without a database default, so every node is
# stopped before it runs (docs/deployment.md, Migrations side by side)
PHASE = "offline"


def up(migrator, db):
    migrator.migrate(migrator.add_column("category", "staff_threads_only", BooleanField(default=False)))
    db.execute_sql(f"UPDATE category SET staff_threads_only = {db.param} WHERE slug = {db.param}",
                   (True, "announcements"))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("category", "staff_threads_only"))
