"""Helpers the admin-area screens share: domain and model errors onto forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from panel1.exceptions import DomainError


def add_errors(form, exc: DomainError | ValidationError) -> None:
    """Put a service's errors on the form's fields (unknown keys become form errors)."""
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    else:
        errors = exc.errors
    for key, messages in errors.items():
        field = key if key in form.fields else None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field, str(message))
