"""Staff: the remote-sessions calendar (a week of every agent's sessions) and today's sessions on the
queue page (policy 8.1). Times in the viewer's zone with Pacific time beside them."""
import datetime

from flask import redirect, request, url_for
from flask_login import current_user

from portal.models import User
from portal.services import session_calendar
from portal.web.forms.staff import CalendarFilterForm
from portal.web.render import render, wants_fragment
from portal.web.staff import bp


@bp.get("/sessions")
def sessions_calendar():
    """Staff: a week (Monday to Sunday) of remote sessions, filtered by agent, with the weeks either side."""
    form = CalendarFilterForm(request.args, staff=User.staff_members())
    if not form.validate():  # a bad date shows this week; an unknown agent every agent
        form.week.data = None
    zone = current_user.time_zone
    day = form.week.data or session_calendar.today_for(zone)
    week = session_calendar.week(day, zone, form.agent_id)
    monday = week[0].date
    step = datetime.timedelta(days=7)
    args = {"agent": form.agent.data} if form.agent.data else {}
    return render("staff/sessions.html", week=week, form=form, monday=monday,
                  previous_args=args | {"week": (monday - step).isoformat()},
                  next_args=args | {"week": (monday + step).isoformat()},
                  this_args=args)


@bp.get("/sessions/today")
def today_sessions():
    """Staff: today's sessions of every agent, the fragment the queue page loads (htmx); without
    JavaScript the queue page links to the calendar, and a plain GET here goes there too."""
    if not wants_fragment():
        return redirect(url_for("staff.sessions_calendar"))
    return render("staff/_today_sessions.html", today=session_calendar.today(current_user.time_zone))
