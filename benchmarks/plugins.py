"""Plugin overhead: API ticket creation and the desk ticket page with 10 plugins enabled (each
subscribing to every event and filling two slots) against no plugins, in the same run.

DATABASE_URL=... .venv/bin/python benchmarks/plugins.py [--runs 40] [--drop]

Rounds alternate (none, ten, none, ten, ...) so load on the machine hits both alike. Event
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
from django_tenants.utils import schema_context  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from panel1.accounts.models import Role, User  # noqa: E402
from panel1.actors import Actor  # noqa: E402
from panel1.events.names import ALL_EVENTS  # noqa: E402
from panel1.plugins import Plugin, Slot  # noqa: E402
from panel1.plugins import services as plugin_services  # noqa: E402
from panel1.plugins.registry import registry  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_plugins"
DOMAIN = "bench-plugins.localhost"
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


def _tenant() -> Tenant:
    tenant = Tenant.objects.filter(schema_name=SCHEMA).first()
    if tenant is None:
        tenant = tenant_provision(
            schema_name=SCHEMA,
            domain=DOMAIN,
            name="Bench Plugins",
            admin_email=f"admin@{DOMAIN}",
            admin_password="bench-pass-2026",
        ).tenant
    return tenant


def _switch(names: list[str], *, on: bool) -> None:
    with schema_context(SCHEMA):
        for name in names:
            service = plugin_services.plugin_enable if on else plugin_services.plugin_disable
            service(name=name, actor=Actor())


def _time_create(client: Client, token: str, runs: int) -> tuple[list[float], list[str]]:
    times, numbers = [], []
    for i in range(runs):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/tickets/",
            {"subject": f"Bench {i}", "content": "The printer is jammed", "priority": "HIGH"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.content[:300]
        numbers.append(response.json()["number"])
    return times, numbers


def _time_page(client: Client, numbers: list[str]) -> list[float]:
    times = []
    for number in numbers:
        started = time.perf_counter()
        response = client.get(f"/desk/tickets/{number}/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40, help="requests per case and round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()

    tenant = _tenant()
    from django_q.models import OrmQ

    last_task = OrmQ.objects.order_by("-id").values_list("id", flat=True).first() or 0
    names = []
    for index in range(PLUGINS):
        cls = _plugin_class(index)
        assert registry.register(cls, source="benchmark") == []
        names.append(cls.name)
    with schema_context(SCHEMA):
        admin = User.objects.get(email=f"admin@{DOMAIN}")
        assert admin.role == Role.ADMIN
        token = Token.objects.get_or_create(user=admin)[0].key
    client = Client(HTTP_HOST=DOMAIN)
    page_client = Client(HTTP_HOST=DOMAIN)
    with schema_context(SCHEMA):
        page_client.force_login(admin)
    connection.set_schema_to_public()

    results: dict[str, dict[str, list[float]]] = {
        "none": {"create": [], "page": []},
        "ten": {"create": [], "page": []},
    }
    _switch(names, on=False)
    _time_create(client, token, 5)  # warm up
    for round_no in range(args.rounds):
        for case in ("none", "ten"):
            _switch(names, on=case == "ten")
            create, numbers = _time_create(client, token, args.runs)
            results[case]["create"] += create
            results[case]["page"] += _time_page(page_client, numbers)
        print(f"round {round_no + 1}/{args.rounds} done")
    _switch(names, on=False)

    print(f"\n{PLUGINS} plugins x {len(ALL_EVENTS)} event hooks + 2 slots each vs none")
    print(f"{'case':28} {'p50 ms':>8} {'p95 ms':>8}")
    for what in ("create", "page"):
        label = {"create": "POST /api/v1/tickets/", "page": "GET /desk/tickets/<n>/"}[what]
        for case in ("none", "ten"):
            values = results[case][what]
            print(
                f"{label + ' ' + case:28} {percentile(values, 50):8.1f} "
                f"{percentile(values, 95):8.1f}"
            )
        ratio = percentile(results["ten"][what], 50) / percentile(results["none"][what], 50)
        print(f"{label + ' ratio':28} {ratio:8.2f}  (p50, ten / none)")
    _cleanup(tenant, last_task, drop=args.drop)


def _cleanup(tenant: Tenant, last_task: int, *, drop: bool) -> None:
    from django_q.models import OrmQ

    OrmQ.objects.filter(id__gt=last_task).delete()  # the tasks this run queued (no worker ran)
    if drop:
        tenant.delete(force_drop=True)


if __name__ == "__main__":
    main()
