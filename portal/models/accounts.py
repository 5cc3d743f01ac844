"""Accounts: users with a role, a cached support level and a session version; partners."""
from peewee import AutoField, BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from portal.db import BaseModel, DateTimeField, utcnow

ROLES = ("customer", "reseller", "staff", "admin")
PARTNER_ROLES = ("manager", "member")  # a reseller account's role in its partner (policy 3.1)


class Partner(BaseModel):
    """A reseller company (policy 3.1 Decision): its members are reseller accounts."""
    id = AutoField()
    name = CharField(max_length=120)
    number = CharField(max_length=32, unique=True)  # the vendor's partner number
    created_at = DateTimeField(default=utcnow)


class User(BaseModel):
    id = AutoField()
    email = CharField(max_length=254, unique=True)
    password_hash = CharField(max_length=255)
    display_name = CharField(max_length=80, default="")
    role = CharField(max_length=16, default="customer", index=True)
    verified_at = DateTimeField(null=True)
    session_version = IntegerField(default=1)
    # policy 2.1 / 3.4 / 4.5: cached result of the policy's level resolution
    level = CharField(max_length=16, default="FREE", index=True)
    level_reason = CharField(max_length=200, default="FREE: no license on this account")
    # policy 1.2: acceptance of the support policy, with its version
    policy_accepted_at = DateTimeField(null=True)
    policy_version = CharField(max_length=32, null=True)
    is_active_account = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)
    notes = TextField(default="")
    # policy 3.1 Decision: a reseller account may belong to one partner, as manager or member
    partner = ForeignKeyField(Partner, null=True, backref="members", on_delete="SET NULL")
    partner_role = CharField(max_length=16, null=True)
    # the IANA zone this person reads times in (session times, mails); Pacific like the policy by default
    time_zone = CharField(max_length=64, default="America/Los_Angeles")
    # a partner member's mail about the partner's tickets: "mine" (filed or followed), "all", "none"
    partner_mail = CharField(max_length=8, default="mine")

    def get_id(self):
        """Flask-Login id carries the session version so bumping it ends every session."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self):
        return self.is_active_account

    # what Flask-Login asks of a user, written out so models need no Flask
    @property
    def is_authenticated(self):
        return self.is_active

    is_anonymous = False

    @property
    def verified(self):
        return self.verified_at is not None

    @property
    def is_staff(self):
        return self.role in ("staff", "admin")

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_reseller(self):
        return self.role == "reseller"

    @property
    def is_partner_manager(self):
        return self.role == "reseller" and self.partner_id is not None and self.partner_role == "manager"

    @property
    def name(self):
        return self.name_of(self.display_name, self.email)

    @staticmethod
    def name_of(display_name, email):
        """The name pages show: the display name, else the email's local part (also for rows
        read as tuples, which have no User)."""
        return display_name or email.split("@")[0]

    @classmethod
    def by_email(cls, email):
        """The account with this email (case-insensitive), or None."""
        return cls.get_or_none(cls.email == email.strip().lower())

    @classmethod
    def staff_members(cls):
        """Staff and admins, by name."""
        return cls.select().where(cls.role.in_(("staff", "admin"))).order_by(cls.email)


class MailPreference(BaseModel):
    """One notification kind a person turned off or on again (portal.services.mail_prefs);
    no row means on, so new kinds reach everyone until they say otherwise."""
    id = AutoField()
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = CharField(max_length=32)
    enabled = BooleanField(default=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "kind"), True),)
