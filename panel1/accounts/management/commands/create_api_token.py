from django.core.management.base import CommandError
from django_tenants.utils import get_tenant_model, schema_context

from panel1.accounts.models import User
from panel1.api.tokens import api_token_create
from panel1.core.management.base import Panel1Command


class Command(Panel1Command):
    help = (
        "Create an API token for a tenant user and print it; the token is the last line. "
        "Only its hash is stored: each run creates a new token."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The tenant's schema name")
        parser.add_argument("--name", default="command line", help="A name for the token")
        parser.add_argument("--read-only", action="store_true", help="Only GET requests")
        parser.add_argument("email", help="The user's email address")

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
            user = User.objects.filter(email__iexact=options["email"]).first()
            if user is None:
                raise CommandError(f"No user {options['email']!r} in tenant {schema!r}.")
            if not user.is_active:
                raise CommandError(f"User {user.email} is inactive.")
            token, key = api_token_create(
                actor=user, user=user, name=options["name"], read_only=options["read_only"]
            )
        self.stderr.write(f"Created token {token.name!r} for {user.email} ({schema}):")
        self.stdout.write(key)
