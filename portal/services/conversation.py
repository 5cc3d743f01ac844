"""A ticket's conversation as the staff and the customer's ticket pages show it, as plain rows.

One query brings the messages the reader may see (internal notes only for staff), their authors
and their files (a LEFT JOIN: a message with two files comes twice), as the driver gives them: no
model instances per row, and a message's time is converted only when it is shown. A message is a
`Said`, an author an `Author`, a file a `File`, all tuples, so the conversation itself is a
fragment key (portal/web/fragments.py): everything its HTML shows of each message is in it, and
any change (a new reply, a renamed author, another file) is another key.
"""
import functools
from collections import namedtuple

from peewee import JOIN

from portal import prepared
from portal.models import Attachment, Message, User


class Author(namedtuple("Author", "id email display_name role")):
    __slots__ = ()

    @property
    def name(self):
        return User.name_of(self.display_name, self.email)

    @property
    def is_staff(self):
        return self.role in ("staff", "admin")


File = namedtuple("File", "id filename size")


class Said(namedtuple("Said", "id author_id author body internal stored_at attachments")):
    """A message; `stored_at` is its time as the database gives it, `created_at` the moment."""
    __slots__ = ()

    @property
    def created_at(self):
        return Message.created_at.python_value(self.stored_at)


def _query(ticket_id, staff):
    query = (Message.select(Message.id, Message.author, Message.body, Message.internal, Message.created_at,
                            User.email, User.display_name, User.role,
                            Attachment.id, Attachment.filename, Attachment.size)
             .join(User, on=(Message.author == User.id))
             .join_from(Message, Attachment, JOIN.LEFT_OUTER,
                        on=((Attachment.message == Message.id) & (Attachment.ticket == Message.ticket)))
             .where(Message.ticket == ticket_id))
    if not staff:
        query = query.where(~Message.internal)
    return query.order_by(Message.created_at, Message.id, Attachment.id)


def shown_to(ticket, user):
    """The conversation of `ticket` as `user` may see it: a tuple of Said, oldest first, each
    with its files (a tuple of File, in upload order)."""
    staff = bool(user.is_staff)
    rows = prepared.raw("shown conversation+notes" if staff else "shown conversation",
                        lambda ticket_id: _query(ticket_id, staff), ticket.id)
    said, files = [], {}
    for message_id, author_id, body, internal, stored_at, email, display_name, role, file_id, name, size in rows:
        if message_id not in files:
            files[message_id] = []
            said.append((message_id, author_id, _author((author_id, email, display_name, role)), body,
                         bool(internal), stored_at))
        if file_id is not None:
            files[message_id].append(_file((file_id, name, size)))
    return tuple([_said((*message, tuple(files[message[0]]))) for message in said])


# the tuples made straight from their values (the namedtuples' own __new__ is a Python call each)
_author, _file, _said = (functools.partial(tuple.__new__, kind) for kind in (Author, File, Said))
