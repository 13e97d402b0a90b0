from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "panel1.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self):
        from panel1 import jobs

        jobs.register_schedule(
            name="jobs.heartbeat", func="panel1.jobs.heartbeat", minutes=1, per_tenant=False
        )
