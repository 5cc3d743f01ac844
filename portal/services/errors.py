"""One error family for every use case; portal.web turns it into form errors, 404s and 409s."""


class ServiceError(Exception):
    """A refused use case: `errors` maps form fields (or "form") to messages a person understands,
    `status` is the HTTP answer a page gives for it (400 bad input, 403, 409 conflict, 422...).
    `secret` says the text was refused (also) for carrying credentials (policy 8.5, 8.6): the page
    then points to where credentials go."""

    status = 400

    def __init__(self, errors, status=None, secret=False):
        if isinstance(errors, str):
            errors = {"form": errors}
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)
        self.secret = secret
        if status is not None:
            self.status = status

    @property
    def field(self):
        """The first field the refusal names ("form" for the whole form)."""
        return next(iter(self.errors), "form")

    @property
    def message(self):
        return next(iter(self.errors.values()), "")


class FieldError(ServiceError):
    """A refusal tied to one form field: FieldError(field, message)."""

    def __init__(self, field, message, status=None, secret=False):
        super().__init__({field or "form": message}, status, secret)


class Conflict(ServiceError):
    """Someone else changed or holds the object first (409)."""

    status = 409


class NotFound(ServiceError):
    """The object does not exist or this user may not see it: always answered as 404."""

    status = 404

    def __init__(self, what="That"):
        super().__init__({"form": f"{what} was not found."})
