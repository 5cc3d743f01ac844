"""Mail received by the inbound SMTP server (reply by email, policy 4.3)."""
from peewee import AutoField, BooleanField, CharField, IntegerField

from portal.db import BaseModel, DateTimeField, utcnow


class InboundMail(BaseModel):
    """One received mail, keyed by its Message-ID so a redelivery stores nothing twice; also the
    memory of automatic answers (at most one per sender in `[mail] auto_answer_every_hours`)."""
    id = AutoField()
    message_key = CharField(max_length=255, unique=True)  # the Message-ID, or a hash of the mail without one
    sender = CharField(max_length=254, index=True)        # the From address, lower case
    ticket_id = IntegerField(null=True)                   # the ticket its address named
    outcome = CharField(max_length=24)                    # stored, refused, automatic, closed, unknown ...
    answered = BooleanField(default=False)                # an automatic answer was sent for it
    received_at = DateTimeField(default=utcnow, index=True)
