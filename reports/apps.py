from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1 import jobs

        jobs.register_schedule(
            name="reports.refresh",
            func="reports.tasks.reports_refresh_task",
            minutes=5,
            per_tenant=True,
        )
        from reports.digest import digest_due_check

        # Hourly, so Monday 07:00 arrives on time in every tenant's own time zone.
        jobs.register_schedule(
            name="reports.digest",
            func="reports.digest.digest_send_due_task",
            minutes=60,
            per_tenant=True,
            due=digest_due_check,
        )
