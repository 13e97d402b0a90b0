from django.core.management.base import CommandError

from panel1 import jobs
from panel1.core.management.base import Panel1Command


class Command(Panel1Command):
    help = (
        "Run one SLA monitor pass (at-risk, breaches, escalations): for every tenant, or for "
        "one with --schema. The django-q2 schedule does the same every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this tenant's schema")

    def handle(self, *args, **options):
        task = "sla.monitor.sla_monitor_task"
        schema = options.get("schema")
        if schema:
            if schema not in jobs.tenant_schema_names():
                raise CommandError(f"No tenant with schema {schema!r}.")
            results = {schema: jobs.run_in_schema(schema, task)}
        else:
            results = jobs.for_each_tenant(task)
        for name, result in results.items():
            if result is None:
                self.stdout.write(self.style.ERROR(f"{name}: failed (see the log)"))
                continue
            summary = ", ".join(f"{key} {value}" for key, value in result.items())
            self.stdout.write(f"{name}: {summary}")
        failed = [name for name, result in results.items() if result is None]
        if failed:
            raise CommandError(f"The monitor failed for {', '.join(failed)}.")
