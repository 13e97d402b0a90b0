"""Shared behaviour of our management commands: clear errors, no tracebacks, non-zero exit."""

from django.core.management.base import BaseCommand, CommandError

from panel1.exceptions import DomainError


class Panel1Command(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            lines = [f"{field}: {msg}" for field, msgs in exc.errors.items() for msg in msgs]
            raise CommandError("\n".join(lines)) from exc
