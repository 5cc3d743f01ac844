"""Tickets, messages, attachments, bugs, remote sessions and credentials."""
import datetime

from peewee import (AutoField, BlobField, BooleanField, CharField, DateField,
                    ForeignKeyField, IntegerField, TextField)

from portal.db import BaseModel, DateTimeField, utcnow
from portal.models.accounts import Partner, User
from portal.models.licenses import License

STATUSES = ("open", "waiting", "solved", "closed")


class Bug(BaseModel):
    """A bug reproduced in the lab (policy 5.2, 5.3)."""
    id = AutoField()
    title = CharField(max_length=200)
    status = CharField(max_length=16, default="open")  # open | fixed
    eta = DateField(null=True)
    workaround = TextField(default="")
    fixed_in = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class Ticket(BaseModel):
    id = AutoField()
    # no index of its own: the two (requester, ...) indexes below begin with it (migration 0018)
    requester = ForeignKeyField(User, backref="tickets", on_delete="CASCADE", index=False)
    product = CharField(max_length=64)
    version = CharField(max_length=32, default="")
    version_status = CharField(max_length=24, default="unknown")  # policy 7.2 verdict
    subject = CharField(max_length=200)
    status = CharField(max_length=16, default="open")  # indexed by (status, updated_at) below
    level = CharField(max_length=16)            # requester's level when ranked
    level_reason = CharField(max_length=200, default="")  # why, in words (policy 2.1, 3.4)
    rank_band = IntegerField()                  # policy 4.6 / 2.1 / 3.4 via policy.rank_band
    opened_at = DateTimeField(default=utcnow)
    due_at = DateTimeField()  # first-response due
    policy_version = CharField(max_length=32)   # policy 1.4
    language = CharField(max_length=8, default="en")
    is_english = BooleanField(default=True)     # policy 4.2
    awaiting_staff = BooleanField(default=True)
    assignee = ForeignKeyField(User, null=True, backref="assigned_tickets", on_delete="SET NULL")
    first_response_at = DateTimeField(null=True)
    first_response_met = BooleanField(null=True)
    remote_requested_at = DateTimeField(null=True)
    bug = ForeignKeyField(Bug, null=True, backref="tickets", on_delete="SET NULL")
    submit_token = CharField(max_length=64, null=True, unique=True)  # double-submit guard
    updated_at = DateTimeField(default=utcnow)
    # policy 3.1 Decision: a member's ticket belongs to the partner, recorded when it is filed,
    # and is about one end customer (their license, or their company and contact address)
    partner = ForeignKeyField(Partner, null=True, backref="tickets", on_delete="SET NULL", index=False)
    license = ForeignKeyField(License, null=True, backref="tickets", on_delete="SET NULL")
    end_customer_company = CharField(max_length=120, null=True)
    end_customer_email = CharField(max_length=254, null=True)
    # bumped by every customer-visible reply and status change: a staff reply carries the
    # revision its author saw and is held when another one landed since (issue 13)
    revision = IntegerField(default=0)

    class Meta:
        indexes = (
            (("awaiting_staff", "rank_band", "due_at", "opened_at", "id"), False),
            (("requester", "status", "updated_at"), False),
            (("requester", "updated_at", "id"), False),  # a customer's list, newest activity first (0016)
            (("partner", "status", "updated_at"), False),  # the Partner Area's list
            (("status", "updated_at"), False),  # staff views of a status (migration 0009)
            (("updated_at",), False),  # the staff view of every ticket, newest activity first
        )

    @property
    def is_open(self):
        return self.status in ("open", "waiting")


class TicketParticipant(BaseModel):
    """A colleague of the filer who follows a partner ticket (policy 3.1 Decision)."""
    id = AutoField()
    ticket = ForeignKeyField(Ticket, backref="participants", on_delete="CASCADE", index=False)
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("ticket", "user"), True),)


class Message(BaseModel):
    id = AutoField()
    ticket = ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    author = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    body = TextField()
    internal = BooleanField(default=False)  # staff-only note
    created_at = DateTimeField(default=utcnow)  # ordered within a ticket (message_ticket_id) only


class Attachment(BaseModel):
    id = AutoField()
    ticket = ForeignKeyField(Ticket, backref="attachments", on_delete="CASCADE")
    message = ForeignKeyField(Message, null=True, backref="attachments", on_delete="SET NULL")
    uploaded_by = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    filename = CharField(max_length=200)       # safe display/download name
    stored_name = CharField(max_length=64, unique=True)
    content_type = CharField(max_length=100)
    size = IntegerField()
    created_at = DateTimeField(default=utcnow)


class AttachmentBlob(BaseModel):
    """An attachment's bytes (the database store, portal/services/file_store.py): a table of
    their own, so listing a ticket's attachments never reads them; they go with their row."""
    id = AutoField()  # every table has one (tests and tools order rows by it)
    attachment = ForeignKeyField(Attachment, unique=True, backref="+", on_delete="CASCADE")
    data = BlobField()  # bytea on PostgreSQL

    class Meta:
        table_name = "attachment_blob"


class RemoteSession(BaseModel):
    """A remote-support session (policy 8.1-8.5)."""
    id = AutoField()
    ticket = ForeignKeyField(Ticket, backref="remote_sessions", on_delete="CASCADE")
    requested_by = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    agent = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    status = CharField(max_length=16, default="requested")  # requested|scheduled|running|ended|cancelled
    starts_at = DateTimeField(null=True)
    tool = CharField(max_length=100, default="Remote Utilities")
    created_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)
    duration_minutes = IntegerField(default=30)  # the length; the whole span lies inside support hours (1.5)
    sequence = IntegerField(default=0)  # the iCalendar SEQUENCE: rises with every change mailed out
    confirmed_at = DateTimeField(null=True)  # the requester confirmed this time (reset on reschedule)
    change_requested_at = DateTimeField(null=True)  # the requester asked for another time ...
    change_note = TextField(default="")  # ... saying what suits them

    class Meta:
        indexes = ((("agent", "starts_at"), False),)  # an agent's sessions by time: overlaps, the calendar

    @property
    def ends_at(self):
        """When the session ends (start + length), or None before it has a start."""
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes) if self.starts_at else None


class Credential(BaseModel):
    """Remote-access credentials, encrypted at rest (policy 8.5)."""
    id = AutoField()
    ticket = ForeignKeyField(Ticket, backref="credentials", on_delete="CASCADE")
    session = ForeignKeyField(RemoteSession, null=True, backref="credentials", on_delete="SET NULL")
    submitted_by = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    ciphertext = BlobField(null=True)  # NULL once destroyed
    created_at = DateTimeField(default=utcnow)
    destroyed_at = DateTimeField(null=True)


class CredentialView(BaseModel):
    id = AutoField()
    credential = ForeignKeyField(Credential, backref="views", on_delete="CASCADE")
    viewer = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    viewed_at = DateTimeField(default=utcnow)
