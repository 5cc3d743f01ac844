"""Who else is here: the presence fragment a staff ticket or thread page polls, the typing beat of
its reply box and the goodbye of a closing tab (portal.services.presence; without JavaScript
nothing polls and no presence is shown)."""
from flask_login import current_user

from portal.services import presence
from portal.web.forms.staff import ActionForm
from portal.web.render import render_block
from portal.web.staff import bp


def _fragment(kind, object_id, typing=False):
    """Record the beat, then answer with who else is on the page (the partial's `presence` block)."""
    presence.beat(kind, object_id, current_user, typing=typing)
    people = presence.others(kind, object_id, current_user)
    return render_block("staff/_presence.html", "presence", presence_kind=kind, presence_id=object_id,
                        people=people)


def _typing(kind, object_id):
    ActionForm.posted()
    return _fragment(kind, object_id, typing=True)


def _leave(kind, object_id):
    ActionForm.posted()
    presence.leave(kind, object_id, current_user)
    return "", 204


@bp.route("/tickets/<int:ticket_id>/presence")
def ticket_presence(ticket_id):
    """Staff: who else has this ticket open and who types a reply there; records that you are here
    (polled every 5 s by the page; an entry expires 20 s after its last beat)."""
    return _fragment("ticket", ticket_id)


@bp.route("/threads/<int:thread_id>/presence")
def thread_presence(thread_id):
    """Staff: who else has this forum thread's staff page open, and who types an answer there."""
    return _fragment("thread", thread_id)


@bp.route("/tickets/<int:ticket_id>/presence/typing", methods=["POST"])
def ticket_typing(ticket_id):
    """Staff: you are typing a reply on this ticket (sent at most every 3 s while keys are pressed)."""
    return _typing("ticket", ticket_id)


@bp.route("/threads/<int:thread_id>/presence/typing", methods=["POST"])
def thread_typing(thread_id):
    """Staff: you are typing an answer in this thread."""
    return _typing("thread", thread_id)


@bp.route("/tickets/<int:ticket_id>/presence/leave", methods=["POST"])
def ticket_leave(ticket_id):
    """Staff: you closed this ticket's page (the tab's beacon); without it your entry expires by itself."""
    return _leave("ticket", ticket_id)


@bp.route("/threads/<int:thread_id>/presence/leave", methods=["POST"])
def thread_leave(thread_id):
    """Staff: you closed this thread's page (the tab's beacon)."""
    return _leave("thread", thread_id)
