from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeBaseConfig(AppConfig):
    name = "knowledgebase"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from knowledgebase import demo, privacy
        from knowledgebase.plugins import KbCapability, ticket_suggestions_context
        from knowledgebase.services.analytics import on_ticket_created
        from panel1 import jobs
        from panel1.events import bus, names
        from panel1.plugins import register_capability, ui_slots
        from panel1.tenants import provisioning

        privacy.register()
        provisioning.register_demo_step("knowledge base articles", demo.demo_articles_create)
        register_capability("kb", KbCapability)
        ui_slots.register(
            "ticket.sidebar",
            key="kb.suggestions",
            template="knowledgebase/_ticket_suggestions_slot.html",
            context=ticket_suggestions_context,
            order=50,
        )
        bus.subscribe(
            names.TICKET_CREATED, key="knowledgebase.search_outcome", handler=on_ticket_created
        )
        jobs.register_schedule(
            name="kb.views_flush",
            func="knowledgebase.tasks.views_flush_task",
            minutes=5,
            per_tenant=True,
        )
        jobs.register_schedule(
            name="kb.vocabulary_refresh",
            func="knowledgebase.tasks.vocabulary_refresh_task",
            minutes=60,
            per_tenant=True,
        )
        jobs.register_schedule(
            name="kb.search_config_sync",
            func="knowledgebase.tasks.search_config_sync_task",
            minutes=15,
            per_tenant=True,
        )
