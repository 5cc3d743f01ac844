"""Staff oversight: audit log, canned replies, and who is on a staff page (presence)."""
from peewee import AutoField, CharField, ForeignKeyField, IntegerField, TextField

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


class Presence(BaseModel):
    """Who has a staff page of a ticket or thread open, and who types a reply there (the
    database store of portal.services.presence; Redis keeps the same facts when configured).

    Rows expire by their times (`seen_at`, `typing_at` older than the service's TTL count as
    gone), so a closed tab leaves nothing that is still shown; old rows are swept on writes."""
    id = AutoField()
    kind = CharField(max_length=16)          # "ticket" or "thread"
    object_id = IntegerField()
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    seen_at = DateTimeField(default=utcnow, index=True)
    typing_at = DateTimeField(null=True)     # the last keystroke beat in the reply box

    class Meta:
        indexes = ((("kind", "object_id", "user"), True),)
