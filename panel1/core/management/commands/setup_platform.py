from django.core.management import call_command

from panel1.core.management.base import Panel1Command
from panel1.core.management.commands.setup_schedules import schedules_sync
from panel1.tenants.services import ensure_public_tenant, ensure_template_schema


class Command(Panel1Command):
    help = (
        "Migrate the public schema and every tenant, bring the tenant template schema up to "
        "date, create the cache table, the public domain and the periodic jobs. Idempotent."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", interactive=False, verbosity=max(verbosity - 1, 0))
        ensure_template_schema(verbosity=max(verbosity - 1, 0))
        call_command("createcachetable", verbosity=0)
        ensure_public_tenant()
        schedules_sync()
        self.stdout.write("Platform ready: schemas migrated, template current, schedules set.")
