from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1 import jobs
        from panel1.tenants import provisioning
        from tickets import demo
        from tickets.desk import demo as desk_demo
        from tickets.portal import demo as portal_demo

        provisioning.register_step("default categories", demo.default_categories_create)
        provisioning.register_demo_step("demo tickets", demo.demo_tickets_create)
        provisioning.register_demo_step(
            "demo satisfaction ratings", portal_demo.demo_satisfaction_create
        )
        provisioning.register_demo_step(
            "desk canned responses and views", desk_demo.desk_demo_create
        )
        jobs.register_schedule(
            name="desk.presence_prune",
            func="tickets.desk.tasks.presence_prune_task",
            minutes=60,
            per_tenant=True,
        )

        from tickets import surveys

        surveys.connect()
        jobs.register_schedule(
            name="surveys.dispatch",
            func="tickets.surveys.survey_dispatch_task",
            minutes=5,
            per_tenant=True,
        )

        from tickets.email import wiring as email_wiring

        email_wiring.ready()
