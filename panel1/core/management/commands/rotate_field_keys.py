from django.db import transaction
from django_tenants.utils import schema_context

from panel1.core.management.base import Panel1Command
from panel1.crypto import encrypted_fields
from panel1.jobs import tenant_schema_names


class Command(Panel1Command):
    help = (
        "Re-encrypt every encrypted field (IMAP passwords, webhook secrets, plugin secrets ...) "
        "with the newest key of FIELD_ENCRYPTION_KEYS, in every tenant (or --schema S)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this tenant's schema")

    def handle(self, *args, **options):
        schemas = [options["schema"]] if options["schema"] else tenant_schema_names()
        total = 0
        for schema in schemas:
            with schema_context(schema), transaction.atomic():
                for field in encrypted_fields():
                    count = field.rotate()
                    total += count
                    self.stdout.write(f"{schema} {field.label}: {count}")
        self.stdout.write(f"Re-encrypted {total} values.")
