import shutil

from django.core.management.base import CommandError
from django_tenants.utils import get_tenant_model, schema_context

from panel1.core.management.base import Panel1Command
from panel1.exceptions import DomainError
from panel1.privacy import services
from panel1.privacy.models import ExportStatus, Source


class Command(Panel1Command):
    help = "Export everything a tenant holds about one person as a ZIP (data.json + files)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The tenant's schema name")
        parser.add_argument("--output", help="Copy the ZIP to this path")
        parser.add_argument("email", help="The person's email address")

    def handle(self, *args, **options):
        schema = options["schema"]
        if (
            not get_tenant_model()
            .objects.filter(schema_name=schema)
            .exclude(schema_name="public")
            .exists()
        ):
            raise CommandError(f"No tenant with schema {schema!r}.")
        with schema_context(schema):
            try:
                export = services.privacy_export_request(
                    actor=None, email=options["email"], source=Source.COMMAND, queue=False
                )
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
            export = services.privacy_export_build(export_id=str(export.pk)) or export
            if export.status != ExportStatus.READY:
                raise CommandError(f"Export {export.pk} failed: {export.error}")
            path = export.file.path
            if options["output"]:
                shutil.copyfile(path, options["output"])
                path = options["output"]
        self.stderr.write(f"Export {export.pk} of {options['email']} ({schema}):")
        self.stdout.write(str(path))
