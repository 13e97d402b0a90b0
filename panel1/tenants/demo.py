"""The demo tenant: people and (through the apps' demo steps) realistic sample data."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

from panel1.accounts.models import Role, User
from panel1.tenants import provisioning
from panel1.tenants.services import ensure_public_tenant, tenant_provision

DEMO_SCHEMA = "demo"
PLATFORM_ADMIN_EMAIL = "platform@panel1.test"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: str


DEMO_PEOPLE = [
    DemoPerson("supervisor@demo.test", "Sam Supervisor", Role.SUPERVISOR),
    DemoPerson("alice@demo.test", "Alice Agent", Role.AGENT),
    DemoPerson("bob@demo.test", "Bob Agent", Role.AGENT),
    DemoPerson("carol@customer.test", "Carol Customer", Role.CUSTOMER),
    DemoPerson("dave@customer.test", "Dave Customer", Role.CUSTOMER),
    DemoPerson("erin@example.org", "Erin Example", Role.CUSTOMER),
]


def _ensure_user(person: DemoPerson, password: str) -> User:
    user, created = User.objects.get_or_create(
        email=person.email, defaults={"name": person.name, "role": person.role}
    )
    if created:
        user.set_password(password)
        user.email_verified = True
        user.save()
    return user


def demo_seed() -> list[str]:
    """Provision the demo tenant and its sample data; safe to run again."""
    password = settings.DEMO_PASSWORD
    connection.set_schema_to_public()
    ensure_public_tenant()
    with schema_context(get_public_schema_name()):
        if not User.objects.filter(email=PLATFORM_ADMIN_EMAIL).exists():
            User.objects.create_superuser(PLATFORM_ADMIN_EMAIL, password, name="Platform Admin")
    result = tenant_provision(
        schema_name=DEMO_SCHEMA,
        domain=settings.DEMO_DOMAIN,
        name="Demo Company",
        admin_email=settings.DEMO_ADMIN_EMAIL,
        admin_password=password,
    )
    done = list(result.changes)
    with schema_context(DEMO_SCHEMA), transaction.atomic():
        people = {p.email: _ensure_user(p, password) for p in DEMO_PEOPLE}
        people[settings.DEMO_ADMIN_EMAIL] = User.objects.get(email=settings.DEMO_ADMIN_EMAIL)
        for key, step in provisioning.registered_demo_steps():
            if step(tenant=result.tenant, people=people):
                done.append(key)
    return done


def demo_logins() -> list[tuple[str, str, str]]:
    password = settings.DEMO_PASSWORD
    rows = [("Admin", settings.DEMO_ADMIN_EMAIL, password)]
    rows += [(p.role.title(), p.email, password) for p in DEMO_PEOPLE]
    return rows
