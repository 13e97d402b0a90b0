"""What a synchronous hook's deadline and the raw-mail filter cost, in the same run.

DATABASE_URL=... .venv/bin/python benchmarks/plugin_hooks.py [--runs 2000] [--drop]

1. `hooks.apply_filter` through one enabled plugin whose filter returns its value: with the
   deadline timer (`panel1.plugins.deadline`, the default in the main thread) against the
   timer switched off (`deadline.available` answering False), calls alternating. Both pay the
   savepoint every isolated hook runs in.
2. `filter_inbound_mail_raw` on a 20 kB mail (a text and an HTML part, base64): no plugin
   with the hook (what every tenant without redaction pays), redaction enabled with nothing
   to mask, and redaction enabled masking two card numbers and an IBAN.
Prints p50/p95 in microseconds per call.
"""

from __future__ import annotations

import argparse
import time

from _setup import django_setup, percentile

django_setup()

from email.message import EmailMessage  # noqa: E402

from django_tenants.utils import schema_context  # noqa: E402

from panel1.actors import Actor  # noqa: E402
from panel1.plugins import Plugin, deadline, hooks, state  # noqa: E402
from panel1.plugins import services as plugin_services  # noqa: E402
from panel1.plugins.registry import registry  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_plugin_hooks"


class Passthrough(Plugin):
    name = "bench-passthrough"
    version = "1.0.0"
    description = "Benchmark plugin"
    author = "benchmarks"
    core_versions = ">=0.1"
    hooks = {"filter.message_content": "same"}

    def same(self, ctx, value, meta):
        return value


def _tenant() -> Tenant:
    tenant = Tenant.objects.filter(schema_name=SCHEMA).first()
    if tenant is None:
        domain = SCHEMA.replace("_", "-") + ".localhost"
        tenant = tenant_provision(
            schema_name=SCHEMA,
            domain=domain,
            name=SCHEMA,
            admin_email=f"admin@{domain}",
            admin_password="bench-pass-2026",
        ).tenant
    return tenant


def _mail(secret: bool) -> bytes:
    filler = "The printer on the third floor prints blank pages again. " * 160
    text = filler + (
        "Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00." if secret else ""
    )
    mail = EmailMessage()
    mail["From"] = "pat@customer.test"
    mail["To"] = "support@bench.test"
    mail["Subject"] = "Card 5500 0000 0000 0004" if secret else "Printer"
    mail.set_content(text, cte="base64")
    mail.add_alternative(f"<p>{text}</p>", subtype="html", cte="base64")
    return mail.as_bytes()


def _timed(func, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        out.append((time.perf_counter() - started) * 1e6)
    return out


def _row(label: str, values: list[float]) -> None:
    print(f"{label:58} {percentile(values, 50):9.1f} {percentile(values, 95):9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    tenant = _tenant()
    assert registry.register(Passthrough, source="benchmark") == []
    with schema_context(SCHEMA):
        plugin_services.plugin_enable(name=Passthrough.name, actor=Actor())
        state._begin()  # the enabled set is read once, as in a request
        real = deadline.available
        timed, untimed = [], []

        def off() -> bool:
            return False

        for _ in range(args.runs):
            for bucket, available in ((timed, real), (untimed, off)):
                deadline.available = available
                started = time.perf_counter()
                hooks.apply_filter("filter.message_content", "Hello", {})
                bucket.append((time.perf_counter() - started) * 1e6)
        deadline.available = real
        print(f"{'case':58} {'p50 µs':>9} {'p95 µs':>9}")
        _row("apply_filter, 1 plugin, deadline timer", timed)
        _row("apply_filter, 1 plugin, no timer (measured afterwards)", untimed)
        plugin_services.plugin_disable(name=Passthrough.name, actor=Actor())

        clean, secret = _mail(False), _mail(True)
        runs = max(args.runs // 10, 50)
        limit = 10_000_000

        def raw(data):
            return lambda: hooks.filter_inbound_mail_raw(data, limit=limit, meta={})

        state._begin()
        plugin_services.plugin_disable(name="redaction", actor=Actor())
        state._begin()
        _row(f"raw mail filter, no plugin ({len(clean)} B)", _timed(raw(clean), runs))
        plugin_services.plugin_enable(name="redaction", actor=Actor())
        state._begin()
        assert hooks.filter_inbound_mail_raw(clean, limit=limit, meta={}) is clean
        assert b"4111" not in hooks.filter_inbound_mail_raw(secret, limit=limit, meta={})
        _row("raw mail filter, redaction, nothing to mask", _timed(raw(clean), runs))
        _row("raw mail filter, redaction, 3 values masked", _timed(raw(secret), runs))
        state._end()
    registry.unregister(Passthrough.name)
    if args.drop:
        tenant.delete(force_drop=True)


if __name__ == "__main__":
    main()
