"""Plugin overhead: API ticket creation and the desk ticket page with 10 plugins enabled (each
subscribing to every event and filling two slots) against no plugins, in the same run.

DATABASE_URL=... .venv/bin/python benchmarks/plugins.py [--runs 200] [--drop]

Two tenants: one with the ten plugins enabled, one with none; requests alternate between
them, so load on the machine hits both alike. Event
hooks are queued (django-q2, ORM broker: one task per event, whatever the number of plugins),
so the request pays one enqueue and one read of the enabled set; slot components are resolved
once per request. Prints p50/p95 per case and the ratio ten/none.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")
os.environ["Q_SYNC"] = "false"  # event hooks are queued, as in production

from _setup import django_setup, percentile

django_setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from panel1.accounts.models import Role, User  # noqa: E402
from panel1.actors import Actor  # noqa: E402
from panel1.api.tokens import api_token_create  # noqa: E402
from panel1.events.names import ALL_EVENTS  # noqa: E402
from panel1.plugins import Plugin, Slot  # noqa: E402
from panel1.plugins import services as plugin_services  # noqa: E402
from panel1.plugins.registry import registry  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

TENANTS = {"none": "bench_plugins_none", "ten": "bench_plugins_ten"}
PLUGINS = 10


def _plugin_class(index: int) -> type[Plugin]:
    def on_event(self, ctx, payload):
        ctx.data.incr(f"seen:{payload['event']}")

    attrs = {
        "name": f"bench-{index:02d}",
        "version": "1.0.0",
        "description": "Benchmark plugin",
        "author": "benchmarks",
        "core_versions": ">=0.1",
        "permissions": ["tickets:read"],
        "hooks": dict.fromkeys(ALL_EVENTS, "on_event"),
        "slots": {
            "desk.ticket.sidebar": Slot(html='<p class="bench">{{ ticket.number }}</p>'),
            "desk.ticket.toolbar": Slot(html='<span class="bench">{{ ticket.status }}</span>'),
        },
        "on_event": on_event,
    }
    return type(f"Bench{index:02d}", (Plugin,), attrs)


def _tenant(schema: str) -> Tenant:
    domain = schema.replace("_", "-") + ".localhost"
    tenant = Tenant.objects.filter(schema_name=schema).first()
    if tenant is None:
        tenant = tenant_provision(
            schema_name=schema,
            domain=domain,
            name=schema,
            admin_email=f"admin@{domain}",
            admin_password="bench-pass-2026",
        ).tenant
    return tenant


class Case:
    """One tenant and its clients: API token and a signed-in desk session."""

    def __init__(self, schema: str):
        self.tenant = _tenant(schema)
        self.domain = self.tenant.domains.get(is_primary=True).domain
        with schema_context(schema):
            admin = User.objects.get(email=f"admin@{self.domain}")
            assert admin.role == Role.ADMIN
            self.token = api_token_create(actor=admin, user=admin, name="benchmark")[1]
            self.page_client = Client(HTTP_HOST=self.domain)
            self.page_client.force_login(admin)
        self.api = Client(HTTP_HOST=self.domain)
        self.create_ms: list[float] = []
        self.page_ms: list[float] = []
        self.create_queries: list[int] = []
        self.page_queries: list[int] = []

    def create(self, i: int) -> str:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = self.api.post(
                "/api/v1/tickets/",
                {"subject": f"Bench {i}", "content": "The printer is jammed", "priority": "HIGH"},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {self.token}",
            )
            self.create_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.content[:300]
        self.create_queries.append(len(queries.captured_queries))
        return response.json()["number"]

    def page(self, number: str) -> None:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = self.page_client.get(f"/desk/tickets/{number}/")
            self.page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        assert (b'class="bench"' in response.content) == (self.tenant.schema_name.endswith("ten"))
        self.page_queries.append(len(queries.captured_queries))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200, help="requests per case")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()

    from django_q.models import OrmQ

    last_task = OrmQ.objects.order_by("-id").values_list("id", flat=True).first() or 0
    names = []
    for index in range(PLUGINS):
        cls = _plugin_class(index)
        assert registry.register(cls, source="benchmark") == []
        names.append(cls.name)
    cases = {key: Case(schema) for key, schema in TENANTS.items()}
    with schema_context(TENANTS["ten"]):
        for name in names:
            plugin_services.plugin_enable(name=name, actor=Actor())
    connection.set_schema_to_public()
    for i in range(5):  # warm up both
        for case in cases.values():
            case.page(case.create(i))
    for case in cases.values():
        case.create_ms, case.page_ms = [], []
    # Requests alternate between the two tenants, so load on the machine hits both alike.
    for i in range(args.runs):
        for case in cases.values():
            case.page(case.create(i))
    _report(cases)
    OrmQ.objects.filter(id__gt=last_task).delete()  # the tasks this run queued (no worker)
    if args.drop:
        for case in cases.values():
            case.tenant.delete(force_drop=True)


def _report(cases: dict[str, Case]) -> None:
    print(f"{PLUGINS} plugins x {len(ALL_EVENTS)} event hooks + 2 slots each vs none")
    print(f"{'case':30} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for what, label in (("create", "POST /api/v1/tickets/"), ("page", "GET /desk/tickets/<n>/")):
        for key, case in cases.items():
            values = getattr(case, f"{what}_ms")
            queries = max(getattr(case, f"{what}_queries"))
            print(
                f"{label + ' ' + key:30} {percentile(values, 50):8.1f} "
                f"{percentile(values, 95):8.1f} {queries:8d}"
            )
        ratio = percentile(cases["ten"].__dict__[f"{what}_ms"], 50) / percentile(
            cases["none"].__dict__[f"{what}_ms"], 50
        )
        print(f"{label + ' ratio':30} {ratio:8.2f}  (p50, ten / none)")


if __name__ == "__main__":
    main()
