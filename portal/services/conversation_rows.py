"""A ticket's conversation as staff read it (internal notes included), as plain rows.

The staff ticket page reads it on every load; building a peewee model per message, author and
file cost more than the rest of the page's queries together (issue 16). These rows carry what
the pages show, with the author's name and staff role by the User model's own rules, and are
plain hashable data a kept piece of page may be keyed by. Two queries whatever the length.
"""
from collections import namedtuple

from portal import prepared
from portal.models import Attachment, Message, User


class Author(namedtuple("Author", "id display_name email role")):
    """A message's author: `name` and `is_staff` as User has them."""
    __slots__ = ()
    name_of = staticmethod(User.name_of)
    name = property(User.name.fget)
    is_staff = property(User.is_staff.fget)


Note = namedtuple("Note", "id author body internal created_at attachments")  # a message or internal note
File = namedtuple("File", "id filename size")


def _messages(ticket_id):
    return (Message.select(Message.id, Message.body, Message.internal, Message.created_at,
                           User.id, User.display_name, User.email, User.role)
            .join(User, on=(Message.author == User.id))
            .where(Message.ticket == ticket_id)
            .order_by(Message.created_at, Message.id).tuples())


def _files(ticket_id):
    return (Attachment.select(Attachment.message, Attachment.id, Attachment.filename, Attachment.size)
            .where(Attachment.ticket == ticket_id).order_by(Attachment.id).tuples())


def staff_conversation(ticket_id):
    """Every message and internal note of the ticket, oldest first, each with its files (tuples)."""
    by_message = {}
    for message_id, *file in prepared.rows("ticket file rows", _files, ticket_id):
        by_message.setdefault(message_id, []).append(File(*file))
    return [Note(mid, Author(*author), body, internal, created_at, tuple(by_message.get(mid, ())))
            for mid, body, internal, created_at, *author in prepared.rows("staff conversation rows", _messages,
                                                                         ticket_id)]
