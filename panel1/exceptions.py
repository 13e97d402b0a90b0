"""Domain errors: raised by services, turned into HTTP answers in one place each."""


class DomainError(Exception):
    """A business rule was broken. `errors` is DRF-shaped: {field: [messages]}."""

    status_code = 400
    default_field = "non_field_errors"

    def __init__(self, errors: dict[str, list[str]] | str, *, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or self.default_field: [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {_text(v)}" for k, v in errors.items()))


def _text(messages: list[str] | str) -> str:
    return messages if isinstance(messages, str) else " ".join(str(m) for m in messages)


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class PreconditionFailed(DomainError):
    """The caller's version of a resource is stale (If-Match, a form's rendered version)."""

    status_code = 412
