from django.core.management.base import BaseCommand

from panel1 import jobs


class Command(BaseCommand):
    help = "Run the analytics job now (changed tickets only, or --full) for one or every tenant."

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this tenant schema")
        parser.add_argument("--full", action="store_true", help="Recompute every ticket")

    def handle(self, *args, schema=None, full=False, **options):
        func = "reports.services.reports_refresh"  # no time budget: runs to the end
        if schema:
            results = {schema: jobs.run_in_schema(schema, func, full=full)}
        else:
            results = jobs.for_each_tenant(func, full=full)
        for name, count in results.items():
            self.stdout.write(f"{name}: {count} tickets recomputed")
