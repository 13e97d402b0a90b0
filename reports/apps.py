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
