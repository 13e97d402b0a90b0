from django.db import connection

from panel1.core.management.base import Panel1Command
from panel1.tenants.services import tenant_provision


class Command(Panel1Command):
    help = (
        "Provision a helpdesk tenant: schema (cloned from the migrated template), domain, "
        "first admin, default SLA profile and categories. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="Schema name, e.g. acme")
        parser.add_argument("--domain", required=True, help="Host name, e.g. acme.localhost")
        parser.add_argument("--name", required=True, help='Company name, e.g. "Acme Corp"')
        parser.add_argument("--admin-email", required=True, help="The first admin's email")
        parser.add_argument("--admin-password", help="The first admin's password (optional)")

    def handle(self, *args, **options):
        result = tenant_provision(
            schema_name=options["schema"],
            domain=options["domain"],
            name=options["name"],
            admin_email=options["admin_email"],
            admin_password=options.get("admin_password"),
            verbosity=max(options["verbosity"] - 1, 0),
        )
        connection.set_schema_to_public()
        if result.changes:
            self.stdout.write(
                self.style.SUCCESS(f"Tenant {result.tenant.schema_name}: ")
                + ", ".join(result.changes)
            )
        else:
            self.stdout.write(
                f"Tenant {result.tenant.schema_name} already exists as requested; nothing changed."
            )
