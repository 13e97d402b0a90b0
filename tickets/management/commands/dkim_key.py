from django.core.management.base import CommandError
from django_tenants.utils import get_tenant_model, schema_context

from panel1.core.management.base import Panel1Command
from tickets.email.addresses import mail_domain
from tickets.email.dkim_signing import active_dkim_key, dkim_dns_record, dkim_key_generate


class Command(Panel1Command):
    help = (
        "Print the DNS TXT record of the tenant's DKIM signing key (made on first use; "
        "--new makes a fresh one). Outbound notifications are signed with the active key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The tenant's schema name")
        parser.add_argument("--new", action="store_true", help="Generate a new key (rotation)")
        parser.add_argument("--domain", help="Signing domain (default: the support address's)")
        parser.add_argument("--selector", help="DNS selector (default: p1-<year><month>)")

    def handle(self, *args, **options):
        schema = options["schema"]
        tenant = get_tenant_model().objects.filter(schema_name=schema).first()
        if tenant is None or schema == "public":
            raise CommandError(f"No tenant with schema {schema!r}.")
        with schema_context(schema):
            key = active_dkim_key()
            if key is None or options["new"]:
                key = dkim_key_generate(
                    actor=None,
                    domain=options["domain"] or mail_domain(tenant),
                    selector=options["selector"] or "",
                )
                self.stderr.write(f"New DKIM key for {key.domain} ({schema}).")
            name, value = dkim_dns_record(key)
        self.stderr.write("Publish this TXT record, then mail is signed with it:")
        # Zone files take strings of at most 255 characters: the value in quoted parts.
        parts = " ".join(f'"{value[i : i + 250]}"' for i in range(0, len(value), 250))
        self.stdout.write(f"{name}. IN TXT ( {parts} )")
