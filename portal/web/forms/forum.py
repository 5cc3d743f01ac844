"""Forms of the forum: a new thread, a reply, an edit, the search box and the staff moderation forms.
Rules, bounds and messages are the forum service's own; categories come from the database
(`NewThreadForm.for_user`, `MoveForm.for_thread`)."""
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from portal.services import forum
from portal.services.errors import ServiceError
from portal.services.search import MAX_QUERY_CHARS
from portal.web.forms import Form

BODY_HINT = ("Markdown: **bold**, `code`, [links](https://…). English only (policy 4.2). "
             "Never post passwords, keys or screenshots (policy 8.6).")


class PostText:
    """A title or body checked as the service checks it: `rule` (`forum.check_title`, `forum.check_body`),
    then the secret guard on what the rule keeps (policy 8.6), so an overlong text is never scanned.
    A secret refusal marks the field `secret`: the page then says where credentials go (policy 8.5)."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        field.secret = False
        try:
            text = self.rule(field.data)
        except ServiceError as exc:
            raise ValidationError(exc.message) from None
        try:
            forum.guard_secrets(field.name, text)
        except ServiceError as exc:
            field.secret = True
            raise ValidationError(exc.message) from None


def _body(label):
    return TextAreaField(label, [PostText(forum.check_body)], default="", description=BODY_HINT,
                         render_kw={"rows": 8, "maxlength": forum.BODY_MAX, "required": True})


class CategoryField(SelectField):
    """A category by slug. Its default (the one a page preselects) is for showing the form only: a
    submit that names none has none, and is refused with the field's message."""

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = None
        super().process_formdata(valuelist)


def _category_choices(categories):
    return [(c.slug, c.name) for c in categories]


class NewThreadForm(Form):
    category = CategoryField("Category", invalid_choice_message=forum.CHOOSE_CATEGORY,
                           render_kw={"required": True})
    title = StringField("Title", [PostText(forum.check_title)], default="",
                        render_kw={"minlength": forum.TITLE_MIN, "maxlength": forum.TITLE_MAX,
                                   "required": True, "autocomplete": "off"})
    body = _body("Your message")
    INLINE = ("title", "body")  # /forum/check gives typing hints for these (and for replies and edits)

    @classmethod
    def for_user(cls, user, **kwargs):
        """The form offering the categories this user may start a thread in (announcements: staff)."""
        form = cls(**kwargs)
        form.category.choices = _category_choices(
            c for c in forum.categories(user) if forum.may_start_thread_in(user, c))
        return form


class ReplyForm(Form):
    body = _body("Your reply")


class EditPostForm(Form):
    body = _body("Edit your post")

    def __init__(self, post, **kwargs):
        super().__init__(**kwargs)
        # the edit form opens inside the thread page, beside the reply form's f-body
        self.body.id = self.body.label.field_id = f"f-body-{post.id}"


def _query(label, **render_kw):
    # cut rather than refused: the box searches as one types
    return StringField(label, filters=[lambda q: (q or "").strip()[:MAX_QUERY_CHARS]], default="",
                       render_kw={"type": "search", "maxlength": MAX_QUERY_CHARS, "autocomplete": "off",
                                  **render_kw})


class SearchForm(Form):
    """A GET form (`SearchForm(request.args)`): nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    q = _query("Words to look for")


class QuickSearchForm(SearchForm):
    """The search box of the forum's front page."""
    q = _query("Search the forum", placeholder="e.g. install server")


# -- staff moderation -------------------------------------------------------------------

class Flag(HiddenField):
    """The on/off state a moderation form asks for ("1" on, anything else off): the form says
    which, so a double click or two staff at once never toggle it back."""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0] == "1"

    def _value(self):
        return "1" if self.data else "0"


class LockForm(Form):
    locked = Flag(default=False)


class HideForm(Form):
    hidden = Flag(default=False)


class AcceptForm(Form):
    accepted = Flag(default=True)  # a request that does not say marks the post


FLAG_FORMS = {"locked": LockForm, "hidden": HideForm, "accepted": AcceptForm}


def flag_form(flag, on):
    """The moderation form for a page: it asks for `flag` (locked, hidden, accepted) to become `on`."""
    return FLAG_FORMS[flag](formdata=None, **{flag: on})


class MoveForm(Form):
    category = CategoryField("Move to", id="f-move", invalid_choice_message=forum.CHOOSE_MOVE_CATEGORY)

    @classmethod
    def for_thread(cls, thread, user, **kwargs):
        """The form offering every category the staff member sees, the thread's own chosen."""
        form = cls(category=thread.category.slug, **kwargs)
        form.category.choices = _category_choices(forum.categories(user))
        return form
