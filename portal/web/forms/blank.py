"""A form a page shows unsubmitted, made only when something reads it.

An unsubmitted form's HTML is the same on every load but for its CSRF token, so a page keeps that
HTML as a fragment (portal/web/fragments.py) with the token as a slot, and the form itself is
needed only when the fragment is drawn: `Blank(lambda: ReplyForm(formdata=None, author=user))`
stands for it and makes it on first use. `is_blank` tells a template it may use the fragment; a
submitted form (its values and errors to show) is passed as itself and drawn afresh.
"""


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
