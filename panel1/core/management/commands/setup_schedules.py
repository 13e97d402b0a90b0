from django_q.models import Schedule

from panel1 import jobs
from panel1.core.management.base import Panel1Command


def schedules_sync() -> list[str]:
    """Create or update the registered periodic jobs; idempotent."""
    changed = []
    for spec in jobs.registered_schedules():
        func, args = (
            ("panel1.jobs.fan_out", repr(spec.func)) if spec.per_tenant else (spec.func, "")
        )
        _, created = Schedule.objects.update_or_create(
            name=spec.name,
            defaults={
                "func": func,
                "args": args or None,
                "schedule_type": Schedule.MINUTES,
                "minutes": spec.minutes,
                "repeats": -1,
            },
        )
        if created:
            changed.append(spec.name)
    return changed


class Command(Panel1Command):
    help = "Create the periodic jobs (SLA monitor, sweeper, heartbeat, ...) idempotently."

    def handle(self, *args, **options):
        created = schedules_sync()
        total = len(jobs.registered_schedules())
        self.stdout.write(f"{total} schedules in place ({len(created)} new).")
