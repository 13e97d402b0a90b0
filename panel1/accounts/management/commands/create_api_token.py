from django.core.management.base import CommandError
from django_tenants.utils import get_tenant_model, schema_context
from rest_framework.authtoken.models import Token

from panel1.accounts.models import User
from panel1.core.management.base import Panel1Command


class Command(Panel1Command):
    help = "Print an API token for a tenant user (created if missing); the token is the last line."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The tenant's schema name")
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
            token, created = Token.objects.get_or_create(user=user)
        self.stderr.write(
            f"{'Created' if created else 'Existing'} token for {user.email} ({schema}):"
        )
        self.stdout.write(token.key)
