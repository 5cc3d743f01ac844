"""Attachments without node-local state (issue 15): their bytes in a table of their own, so every
app node reads what any node stored. Expand only: one new table; rows written before stay on disk
and are read from there until `portal attachments-to-database` moves them (docs/operations.md)."""
from peewee import *

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class Attachment(Model):  # the table the new one refers to
        class Meta:
            database = db
            table_name = 'attachment'

    class AttachmentBlob(Model):
        attachment = ForeignKeyField(Attachment, unique=True, on_delete='CASCADE')
        data = BlobField()
        class Meta:
            database = db
            table_name = 'attachment_blob'
    db.create_tables([AttachmentBlob])
    if not isinstance(db, SqliteDatabase):
        # zip, png, pdf are compressed already: TOAST keeps them out of line without trying again
        db.execute_sql('ALTER TABLE attachment_blob ALTER COLUMN data SET STORAGE EXTERNAL')


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS attachment_blob')
