"""All models, in dependency order (the migration test compares these with the schema)."""
from portal.models.accounts import PARTNER_ROLES, ROLES, MailPreference, Partner, User
from portal.models.licenses import LICENSE_TYPES, PRODUCTS, License, Order, Release
from portal.models.partners import PartnerInvite
from portal.models.tickets import (STATUSES, Attachment, AttachmentBlob, Bug, Credential, CredentialView,
                                   Message, RemoteSession, Ticket, TicketParticipant)
from portal.models.forum import Category, Post, Thread
from portal.models.staff import AuditLog, CannedReply, Presence
from portal.models.inbound import InboundMail
from portal.models.mail import MAIL_STATUSES, MailAttempt, MailNotice, OutboxAttachment, OutboxMail

ALL_MODELS = [Partner, User, PartnerInvite, Order, License, Release, Bug, Ticket, TicketParticipant,
              Message, Attachment, AttachmentBlob, RemoteSession, Credential, CredentialView, Category,
              Thread, Post, AuditLog, CannedReply, Presence, OutboxMail, OutboxAttachment, MailAttempt,
              MailNotice, MailPreference, InboundMail]

__all__ = ["ALL_MODELS", "ROLES", "PARTNER_ROLES", "LICENSE_TYPES", "PRODUCTS", "STATUSES", "MAIL_STATUSES"] + [
    m.__name__ for m in ALL_MODELS]
