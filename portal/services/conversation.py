"""A ticket's conversation as the customer's ticket page shows it, read as plain rows.

One query brings the messages the reader may see (internal notes only for staff), their authors
and their files (a LEFT JOIN: a message with two files comes twice), as tuples: no model
instances per row. A message is a `Said`, an author an `Author`, a file a `File`, all tuples, so
the conversation itself is a fragment key (portal/web/fragments.py): everything its HTML shows
of each message is in it, and any change (a new reply, a renamed author, another file) is
another key.
"""
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
Said = namedtuple("Said", "id author_id author body internal created_at attachments")


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
    return query.order_by(Message.created_at, Message.id, Attachment.id).tuples()


def shown_to(ticket, user):
    """The conversation of `ticket` as `user` may see it: a tuple of Said, oldest first, each
    with its files (a tuple of File, in upload order)."""
    staff = bool(user.is_staff)
    rows = prepared.rows("shown conversation+notes" if staff else "shown conversation",
                         lambda ticket_id: _query(ticket_id, staff), ticket.id)
    said, files, last = [], [], None
    for message_id, author_id, body, internal, created_at, email, display_name, role, file_id, name, size in rows:
        if message_id != last:
            if last is not None:
                said.append(said.pop()._replace(attachments=tuple(files)))
            files, last = [], message_id
            said.append(Said(message_id, author_id, Author(author_id, email, display_name, role), body,
                             bool(internal), created_at, ()))
        if file_id is not None:
            files.append(File(file_id, name, size))
    if said:
        said.append(said.pop()._replace(attachments=tuple(files)))
    return tuple(said)
