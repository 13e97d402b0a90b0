from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import get_tenant_model

from knowledgebase import search
from knowledgebase.services import kb_search_config_sync
from panel1 import jobs
from panel1.core.management.base import Panel1Command


def _reindex() -> str:
    tenant = get_tenant_model().objects.get(schema_name=connection.schema_name)
    connection.set_tenant(tenant)  # the search configuration is read from the tenant
    changed = kb_search_config_sync()
    sizes = search.vocabulary_refresh()
    return f"{changed} article(s) re-indexed with '{search.search_config()}', vocabulary {sizes}"


class Command(Panel1Command):
    help = (
        "Re-index knowledge-base articles after a tenant's kb_search_config changed, and "
        "rebuild the typo vocabularies (every tenant, or one with --schema)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this tenant's schema")

    def handle(self, *args, **options):
        schemas = jobs.tenant_schema_names()
        if options["schema"]:
            if options["schema"] not in schemas:
                raise CommandError(f"No tenant with schema {options['schema']!r}.")
            schemas = [options["schema"]]
        for schema in schemas:
            result = jobs.run_in_schema(
                schema, "knowledgebase.management.commands.kb_reindex._reindex"
            )
            self.stdout.write(f"{schema}: {result}")
        connection.set_schema_to_public()
