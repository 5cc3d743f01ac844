"""Forms built on their first use: a page's forms with the key of what a fresh one shows (LazyForms),
or the one unsubmitted form a page shows (Blank).

A page of many forms (the staff ticket page has eleven) keeps each form's HTML per worker
(portal/web/fragments.py) for the form's inputs: a kept piece that is found never builds its
FlaskForm, so most requests build none. A submitted form (with its errors) takes the place of a
fresh one; its key is None, so the page draws it afresh.
"""


class LazyForms:
    """{name: form}, read as `forms.name` or `forms[name]` (templates and views alike)."""

    def __init__(self, given=None):
        self._makers, self._keys = {}, {}
        self._forms = dict(given or {})
        self._given = frozenset(self._forms)

    def add(self, name, make, *key):
        """`make()` builds the fresh form `name`; `key` is everything its HTML shows (its values and
        choices as plain, hashable data: never a model, which compares by id alone)."""
        self._makers[name] = make
        self._keys[name] = (name, *key)
        return self

    def key(self, name, *around):
        """The key of the fresh form `name` with `around`, what else its piece of page shows (its
        links, the data beside it); None for a submitted form, drawn afresh with its errors."""
        return None if name in self._given else (*self._keys[name], *around)

    def __getitem__(self, name):
        form = self._forms.get(name)
        if form is None:
            form = self._forms[name] = self._makers[name]()
        return form

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name):
        return name in self._forms or name in self._makers

    def built(self):
        """The forms built so far, by name (tests: which ones a page needed)."""
        return dict(self._forms)


# One form a page shows unsubmitted, made only when something reads it (the customer's ticket page):
# `Blank(lambda: ReplyForm(formdata=None, author=user))` stands for it, `is_blank` tells the template
# it may draw the kept piece; a submitted form (its values and errors) is passed as itself.
class Blank:
    is_blank = True

    def __init__(self, make):
        self._make = make
        self._form = None

    def form(self):
        """The form itself, made on the first call."""
        if self._form is None:
            self._form = self._make()
        return self._form

    def __getattr__(self, name):
        if name.startswith("__"):  # copy, pickle and other probes: no form for those
            raise AttributeError(name)
        return getattr(self.form(), name)

    def __getitem__(self, name):
        return self.form()[name]

    def __iter__(self):
        return iter(self.form())
