"""Who else is here: the presence fragment a staff ticket or thread page polls, the typing beat of
its reply box and the goodbye of a closing tab (portal.services.presence; without JavaScript
nothing polls and no presence is shown)."""
from flask import abort
from flask_login import current_user

from portal.services import presence
from portal.web.forms.staff import ActionForm
from portal.web.render import render_block
from portal.web.staff import bp

PAGES = {"tickets": "ticket", "threads": "thread"}  # the URL's word → the presence kind
PAGE = "/<any(tickets, threads):page>/<int:object_id>/presence"


def _fragment(kind, object_id, typing=False):
    """Record the beat, then answer with who else is on the page (the partial's `presence` block)."""
    presence.beat(kind, object_id, current_user, typing=typing)
    people = presence.others(kind, object_id, current_user)
    return render_block("staff/_presence.html", "presence", presence_kind=kind, presence_id=object_id,
                        people=people)


def _kind(page):
    return PAGES.get(page) or abort(404)


@bp.route(PAGE, endpoint="presence")
def presence_view(page, object_id):
    """Staff: who else has this ticket or thread open and who types a reply there; records that you
    are here (polled every 5 s by the page; an entry expires 20 s after its last beat)."""
    return _fragment(_kind(page), object_id)


@bp.route(PAGE + "/typing", methods=["POST"], endpoint="presence_typing")
def typing(page, object_id):
    """Staff: you are typing a reply here (sent at most every 3 s while keys are pressed)."""
    ActionForm.posted()
    return _fragment(_kind(page), object_id, typing=True)


@bp.route(PAGE + "/leave", methods=["POST"], endpoint="presence_leave")
def leave(page, object_id):
    """Staff: you closed this page (the tab's beacon); without it your entry expires by itself."""
    ActionForm.posted()
    presence.leave(_kind(page), object_id, current_user)
    return "", 204
