"""Staff oversight: audit log and canned replies."""
from peewee import AutoField, CharField, ForeignKeyField, TextField

from portal.db import BaseModel, DateTimeField, utcnow
from portal.models.accounts import User


class AuditLog(BaseModel):
    id = AutoField()
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    action = CharField(max_length=64, index=True)
    object_type = CharField(max_length=32, default="")
    object_id = CharField(max_length=32, default="")
    detail = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)


class CannedReply(BaseModel):
    """Replies for out-of-scope classes (policy 6.1-6.4) and the English-only rule (4.2)."""
    id = AutoField()
    key = CharField(max_length=32, unique=True)
    title = CharField(max_length=120)
    body = TextField()
    updated_at = DateTimeField(default=utcnow)
