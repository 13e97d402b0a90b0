from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1 import jobs
        from panel1.tenants import provisioning
        from tickets import (  # noqa: F401 (signals)
            agent_scope,
            category_cache,
            demo,
            organization_cache,
        )

        provisioning.register_step("default categories", demo.default_categories_create)
        provisioning.register_demo_step("demo tickets", demo.demo_tickets_create)

        from panel1.plugins import register_capability
        from tickets.plugin_api import MailCapability, TicketsCapability

        register_capability("tickets", TicketsCapability)
        register_capability("mail", MailCapability)

        from tickets import surveys

        surveys.connect()
        from tickets import scan_jobs

        jobs.register_schedule(
            name="tickets.attachment_rescan",
            func="tickets.scan_jobs.attachments_rescan_task",
            minutes=5,
            per_tenant=True,
            due=scan_jobs.rescan_due,
        )
        from tickets.services import routing as ticket_routing

        jobs.register_schedule(
            name="tickets.agent_load_compact",
            func="tickets.services.routing.agent_load_compact_task",
            minutes=10,
            per_tenant=True,
            due=ticket_routing.agent_load_compact_due,
        )
        jobs.register_schedule(
            name="surveys.dispatch",
            func="tickets.surveys.survey_dispatch_task",
            minutes=5,
            per_tenant=True,
        )

        from panel1.accounts import hooks as account_hooks
        from tickets.services.customers import customer_profile_attach

        account_hooks.register_customer_created("tickets.customer_profile", customer_profile_attach)

        from tickets.email import wiring as email_wiring

        email_wiring.ready()

        from tickets import privacy

        privacy.register()
