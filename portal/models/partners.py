"""Invitations of colleagues into a partner (policy 3.1 Decision)."""
from peewee import AutoField, CharField, ForeignKeyField

from portal.db import BaseModel, DateTimeField, utcnow
from portal.models.accounts import Partner, User


class PartnerInvite(BaseModel):
    """A single-use invitation mailed to `email`; only a hash of the link's secret is kept."""
    id = AutoField()
    partner = ForeignKeyField(Partner, backref="invites", on_delete="CASCADE")
    email = CharField(max_length=254, index=True)
    role = CharField(max_length=16)  # one of PARTNER_ROLES
    token_hash = CharField(max_length=64, unique=True)
    invited_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    @property
    def is_used(self):
        return self.used_at is not None
