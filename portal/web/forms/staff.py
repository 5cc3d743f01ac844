"""Forms of the staff area: the queue filters, working a ticket (assignment, status, reply, note,
canned replies), the bug, remote-session and credential panels, the bugs and the audit log.

Choices are the services' constants (ticket STATUSES, LEVELS, PRODUCTS, bugs.STATUSES, the
session tools), messages and rules theirs (`Check`); a list filter (GET) has no CSRF token."""
import wtforms
from flask import abort
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice

from portal.ids import parse_id
from portal.models import PRODUCTS, STATUSES
from portal.policy import LEVELS
from portal.services import assign, bugs, canned, get_policy, queue, sessions, ticket_views
from portal.web.forms import Check, Clock, Date, Form
from portal.web.forms.tickets import Attachments, valid_files

NEW_BUG = "new"
ASSIGNEE_LABELS = {"": "Anyone or nobody", "me": "Assigned to me", "none": "Unassigned"}


def _choices(first_label, values):
    """An "any" choice ("" labelled `first_label`) and then each value as its own label."""
    return {"": first_label, **{value: value for value in values}}


def _strip(value):
    return (value or "").strip()


def _partner_choice(value):
    """None for no partner filter, else the id it names; ValueError for anything else (refused)."""
    if value in (None, ""):
        return None
    found = parse_id(value)
    if found is None:
        raise ValueError(value)
    return found


def _minutes(value):
    """A length in minutes as a number (0 for anything else, which no choice matches)."""
    return parse_id(value) or 0


def _bug_choice(value):
    """NEW_BUG (also for nothing chosen) or the id of an existing bug (0 when it names none)."""
    if value in (None, "", NEW_BUG):
        return NEW_BUG
    return parse_id(value) or 0


class Flag(BooleanField):
    """A query-string switch: "1", "on" or "true" mean yes, anything else no."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "BooleanField"  # render_field draws it as the checkbox it is

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0] in ("1", "on", "true")

    def _value(self):
        return "1"


class Filter(SelectField):
    """A list's filter: a value outside the choices means no filter (""), so the list still shows."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default="", **kwargs)

    def pre_validate(self, form):
        if not any(choice.selected for choice in self.iter_choices()):
            self.data = ""


class PageNumber(wtforms.Field):
    """A list's page: anything but a plain positive number is page 1 (page_of clamps the rest)."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default=1, **kwargs)

    def process_formdata(self, valuelist):
        self.data = (parse_id(valuelist[0]) if valuelist else None) or 1


class RowKeys(wtforms.Field):
    """Queue row keys ("ticket-12", "forum-3"), repeated or comma-separated; others are dropped."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default=frozenset(), **kwargs)

    def process_formdata(self, valuelist):
        keys = (key.strip() for value in valuelist[:200] for key in value.split(",")[:200])
        self.data = frozenset(key for key in keys if queue.is_row_key(key))


class ListForm(Form):
    """A GET form that filters a list: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False


class ActionForm(Form):
    """A button that posts (claim, unassign, convert a thread, show credentials): the CSRF token only."""

    @classmethod
    def posted(cls):
        """The submitted form; 400 when it does not validate (CSRFProtect answers a bad token first)."""
        form = cls()
        if not form.validate_on_submit():
            abort(400)
        return form


class PanelActionForm(ActionForm):
    """A button of the ticket panels: `next` is the page to go back to without htmx."""
    next = HiddenField(default="")


# -- the queue -----------------------------------------------------------------------------------

_VALIDATED = {}  # QueueFilterForm.validated

class QueueFilterForm(ListForm):
    level = SelectField("Level", choices=_choices("Any level", LEVELS), default="",
                        filters=[lambda value: _strip(value).upper()],
                        invalid_choice_message=queue.UNKNOWN_LEVEL)
    product = SelectField("Product", choices=_choices("Any product", PRODUCTS), default="", filters=[_strip],
                          invalid_choice_message=queue.UNKNOWN_PRODUCT)
    assignee = SelectField("Assigned", choices={value: ASSIGNEE_LABELS[value] for value in queue.ASSIGNEE_CHOICES},
                           default="", filters=[_strip], invalid_choice_message=queue.UNKNOWN_ASSIGNEE)
    breached = Flag("Breached only")
    # policy 3.1: a partner's tickets; the values are partner ids, an unknown one is refused
    partner = SelectField("Partner", coerce=_partner_choice, default=None,
                          invalid_value_message=queue.UNKNOWN_PARTNER, invalid_choice_message=queue.UNKNOWN_PARTNER)
    after = StringField(validators=[Check(lambda form: queue.parse_cursor(form.after.data))], default="")
    # the rows whose "Why is this here?" is open, sent by the poll (static/js/staff.js) so the
    # refreshed rows render them open again
    open = RowKeys()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner.choices = [SelectChoice("", "Any partner"),
                                *(SelectChoice(pid, label) for pid, label in queue.partner_choices())]

    @classmethod
    def validated(cls, args):
        """(form, valid) for this query string, kept per worker: a GET filter's state is a function
        of its query string and the partner list alone (no token, nothing of the user's), and the
        queue's poll sends the same one every 30 s. The form is only read afterwards."""
        key = (tuple(args.items(multi=True)), tuple(queue.partner_choices()))
        found = _VALIDATED.get(key)
        if found is None:
            form = cls(args)
            if len(_VALIDATED) >= 256:
                _VALIDATED.clear()
            found = _VALIDATED[key] = (form, form.validate())
        return found

    def filters(self, user):
        """The validated filters as the queue service takes them; "me" is `user`."""
        return queue.Filters(self.level.data, self.product.data, self.assignee.data, self.breached.data,
                             user.id if user is not None else None, self.partner.data)


# -- working a ticket ----------------------------------------------------------------------------

CHOOSE_AGENT_LABEL = "Choose an agent"


class AssignForm(Form):
    """Assign the ticket: nobody is preselected (a blank first choice, required); `holder` is the
    agent the confirm step named, when the ticket is taken from them (assign.assign)."""
    agent = SelectField("Assign to", coerce=parse_id, invalid_choice_message=assign.CHOOSE_AGENT,
                        validators=[wtforms.validators.InputRequired(assign.CHOOSE_AGENT)],
                        render_kw={"required": True})
    holder = HiddenField(default="")

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agent.choices = [SelectChoice("", CHOOSE_AGENT_LABEL),
                              *(SelectChoice(s.id, f"{s.name} ({s.email})") for s in staff)]

    def validate_agent(self, field):
        if field.data is None:  # the blank choice
            raise wtforms.validators.ValidationError(assign.CHOOSE_AGENT)


class UnassignForm(ActionForm):
    """Unassign; `holder` is the other agent the confirm step named."""
    holder = HiddenField(default="")


def _revision(value):
    """The revision a reply was written against; None when the form carries none (or nonsense)."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 18 else None


class StatusForm(Form):
    """The status picker; htmx sends the reply form's `revision` along, so the agent's own change
    moves the reply form on (and someone else's change in between still holds the reply)."""
    status = SelectField("Status", choices=STATUSES, invalid_choice_message=assign.CHOOSE_STATUS)
    revision = HiddenField(filters=[_revision])


class ReplyForm(Form):
    """The reply to the customer with files, and the status to set with it ("send and set status");
    `revision` is the ticket revision the agent saw and `seen` the last message shown (the
    optimistic reply check, assign.respond). assign.respond checks the text (length, secrets: 8.5)."""
    body = TextAreaField("Reply (the customer sees it and gets an email)", default="",
                         render_kw={"required": True, "rows": 6})
    files = Attachments("Attach files (optional)", [valid_files])
    # "" (a post without it) leaves the status as a reply does: an open ticket waits, a closed one stays
    status = SelectField("and set the status to", choices=[SelectChoice("", "as the reply leaves it"), *(SelectChoice(s, s) for s in STATUSES)],
                         default="", invalid_choice_message=assign.CHOOSE_STATUS, id="f-reply-status")
    revision = HiddenField(filters=[_revision])
    seen = HiddenField(filters=[lambda value: parse_id(value) or 0])


class NoteForm(Form):
    note = TextAreaField("Note for staff (never shown to the customer)", default="", render_kw={"required": True})


class CannedPickForm(ListForm):
    """Which canned reply prefills the reply (a GET, so it works without JavaScript). The htmx
    picker also sends the reply form's `revision` and `seen`, so the refilled form keeps what the
    agent saw rather than quietly taking the newest revision."""
    canned = Filter("Canned reply")
    revision = HiddenField(filters=[_revision])
    seen = HiddenField(filters=[lambda value: parse_id(value) or 0])

    def __init__(self, *args, replies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.canned.choices = {"": "— none —", **{reply.key: reply.title for reply in replies}}


canned_rule = Check(lambda form: canned.check(form.title.data, form.body.data))


class CannedForm(Form):
    """An admin's edit of one canned reply; the page holds one per reply, so ids end in its id."""
    title = StringField("Title", [canned_rule], render_kw={"maxlength": canned.MAX_TITLE, "required": True})
    body = TextAreaField("Reply", [canned_rule], render_kw={"required": True})

    class Meta:
        def bind_field(self, form, unbound_field, options):
            options["id"] = f"f-{options['name']}-{form.reply_id}"
            return unbound_field.bind(form=form, **options)

    def __init__(self, *args, reply_id, **kwargs):
        self.reply_id = reply_id  # read by bind_field while the form is built
        super().__init__(*args, **kwargs)


# -- bugs (policy 5.2, 5.3) ----------------------------------------------------------------------

bug_rule = Check(lambda form: bugs.check(form.bug_fields()))


class BugForm(Form):
    """Record or update a bug (the bugs pages)."""
    title = StringField("Title", [bug_rule], render_kw={"maxlength": bugs.TITLE_MAX, "required": True})
    status = SelectField("Status", choices=bugs.STATUSES, default="open", filters=[lambda value: value or "open"],
                         invalid_choice_message=bugs.UNKNOWN_STATUS)
    eta = Date("ETA of the fix", message=bugs.BAD_ETA,
               description="Changing it replies on every linked ticket (policy 5.2).")
    workaround = TextAreaField("Workaround or alternative (policy 5.3)", [bug_rule], default="")
    fixed_in = StringField("Fixed in version", [bug_rule], default="",
                           description="Needed when the status is fixed, e.g. 8.1.0.3; shipping the fix "
                                       "replies on every linked ticket.")

    def bug_fields(self):
        return bugs.BugFields(self.title.data or "", self.status.data, self.eta.data, self.workaround.data or "",
                              self.fixed_in.data or "")


new_bug_rule = Check(lambda form: form.bug_id.data == NEW_BUG and bugs.check(form.bug_fields()))


class BugLinkForm(PanelActionForm):
    """Link the ticket to an existing bug, or to a new one described here (the ticket panels)."""
    bug_id = SelectField("Bug", coerce=_bug_choice, default=NEW_BUG, validate_choice=False, id="ops-bug-id")
    title = StringField("Title", [new_bug_rule], default="", id="ops-bug-title",
                        render_kw={"maxlength": bugs.TITLE_MAX})
    eta = Date("ETA of the fix", message=bugs.BAD_ETA, id="ops-bug-eta")
    workaround = TextAreaField("Workaround or alternative (policy 5.3)", [new_bug_rule], default="",
                               id="ops-bug-workaround")

    def offer(self, open_bugs):
        """The bugs to pick from; returns the form."""
        self.bug_id.choices = [SelectChoice(NEW_BUG, "A new bug (fill in below)"),
                               *(SelectChoice(b.id, f"#{b.id} {b.title}") for b in open_bugs)]
        return self

    @property
    def existing_bug(self):
        """The id of the bug to link, or None for a new one."""
        return None if self.bug_id.data == NEW_BUG else self.bug_id.data

    def bug_fields(self):
        return bugs.BugFields(self.title.data or "", "open", self.eta.data, self.workaround.data or "")


class BugFilterForm(ListForm):
    status = Filter("Status", choices=_choices("All", bugs.STATUSES), id="f-status-filter")
    page = PageNumber()


# -- remote sessions (policy 8.1-8.5) ------------------------------------------------------------

def _length(field_id):
    """A session's length: the service's choices (sessions.DURATION_CHOICES), 30 minutes by default."""
    return SelectField("Length", coerce=_minutes, default=sessions.DEFAULT_DURATION,
                       choices=[SelectChoice(m, f"{m} minutes") for m in sessions.DURATION_CHOICES],
                       invalid_choice_message=sessions.BAD_DURATION, id=field_id)


class ScheduleForm(PanelActionForm):
    """Schedule a remote session inside support hours (policy 1.5, 8.3, 8.4)."""
    agent = SelectField("Agent", coerce=parse_id, invalid_choice_message=sessions.CHOOSE_AGENT, id="ops-agent")
    starts_on = Date("Start date", message=sessions.BAD_START, id="ops-starts-on")
    starts_time = Clock("Start time", id="ops-starts-time", render_kw={"step": 300})
    # any other choice names another tool, as sessions.parse_tool reads it
    tool = RadioField("Tool (policy 8.3, 8.4)", validate_choice=False, default=sessions.DEFAULT_TOOL,
                      choices={sessions.DEFAULT_TOOL: sessions.DEFAULT_TOOL, sessions.OTHER_TOOL: "Another tool"},
                      id="ops-tool")
    other_tool = StringField("The other tool", default="", id="ops-other-tool",
                             render_kw={"maxlength": sessions.MAX_TOOL})
    duration_minutes = _length("ops-duration")

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        policy = get_policy()
        self.agent.choices = [SelectChoice(s.id, f"{s.name} ({s.email})") for s in staff]
        self.starts_on.label.text = f"Start date ({policy.zone_label})"
        self.starts_time.label.text = f"Start time ({policy.zone_label})"
        self.starts_on.description = (f"Inside support hours: {policy.hours_text()} (policy 1.5). The whole "
                                      "session must fit, and the agent must be free then.")


class RescheduleForm(PanelActionForm):
    """Move a scheduled session: a new start, length or agent, under the rules of scheduling."""
    agent = SelectField("Agent", coerce=parse_id, invalid_choice_message=sessions.CHOOSE_AGENT, id="ops-re-agent")
    starts_on = Date("New start date", message=sessions.BAD_START, id="ops-re-starts-on")
    starts_time = Clock("New start time", id="ops-re-starts-time", render_kw={"step": 300})
    duration_minutes = _length("ops-re-duration")

    def __init__(self, *args, staff=(), session=None, **kwargs):
        policy = get_policy()
        if session is not None and session.starts_at is not None:
            local = session.starts_at.astimezone(policy.zone)
            kwargs.setdefault("agent", session.agent_id)
            kwargs.setdefault("starts_on", local.date())
            kwargs.setdefault("starts_time", local.time().replace(second=0, microsecond=0))
            kwargs.setdefault("duration_minutes", session.duration_minutes)
        super().__init__(*args, **kwargs)
        self.agent.choices = [SelectChoice(s.id, f"{s.name} ({s.email})") for s in staff]
        self.starts_on.label.text = f"New start date ({policy.zone_label})"
        self.starts_time.label.text = f"New start time ({policy.zone_label})"


class CalendarFilterForm(ListForm):
    """The sessions calendar: which week (any day in it; a bad date means this week) and which agent
    (an unknown one means every agent)."""
    week = Date("Week of", message="Enter a date like 2026-01-31.", id="f-week")
    agent = Filter("Agent", id="f-cal-agent")

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agent.choices = {"": "Every agent", **{str(s.id): s.name for s in staff}}

    @property
    def agent_id(self):
        return parse_id(self.agent.data) if self.agent.data else None


# -- the audit log -------------------------------------------------------------------------------

class AuditFilterForm(ListForm):
    action = Filter("Action")
    page = PageNumber()

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = _choices("All actions", actions)


# -- ticket views and search (docs/staff.md, Views and Search) ------------------------------------

class TicketViewForm(ListForm):
    """/staff/tickets: the view and its narrowing filters, all in the URL."""
    view = SelectField("View", choices=ticket_views.VIEW_LABELS, default="all", filters=[_strip],
                       invalid_choice_message=ticket_views.UNKNOWN_VIEW)
    requester = StringField("Requester (email or account number)", default="", filters=[_strip],
                            validators=[Check(lambda form: ticket_views.Filters(requester=form.requester.data))])
    partner = SelectField("Partner", default="", filters=[_strip],
                          invalid_choice_message=ticket_views.UNKNOWN_PARTNER)
    level = SelectField("Level", choices=_choices("Any level", LEVELS), default="",
                        filters=[lambda value: _strip(value).upper()], invalid_choice_message=ticket_views.UNKNOWN_LEVEL)
    page = PageNumber()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner.choices = [SelectChoice("", "Any partner"),
                                *(SelectChoice(number, label) for number, label in ticket_views.partner_choices())]

    def filters(self, user):
        """The validated filters as ticket_views takes them; "mine" is `user`'s."""
        return ticket_views.Filters(self.view.data or "all", self.requester.data, self.partner.data or "",
                                    self.level.data, user.id if user is not None else None)


class SearchForm(ListForm):
    """/staff/search and the search box of every staff page: one text, and the page."""
    q = StringField("Search tickets", default="", filters=[_strip],
                    render_kw={"type": "search", "placeholder": "#123, words, email, partner", "autocomplete": "off"})
    page = PageNumber()


# -- forum threads in the queue ------------------------------------------------------------------

class ThreadAnswerForm(Form):
    """A staff answer posted into a forum thread; forum.reply checks the text (length, the secret
    guard of policy 8.6) and the page shows its refusal on this field."""
    body = TextAreaField("Answer in the forum (everyone who can read the thread sees it)", default="",
                         render_kw={"required": True})
