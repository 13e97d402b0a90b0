from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginsConfig(AppConfig):
    name = "panel1.plugins"
    label = "plugins"
    verbose_name = _("Plugins")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1.plugins import demo, hooks, state
        from panel1.plugins.registry import registry
        from panel1.tenants import provisioning

        registry.load()
        from panel1 import jobs

        jobs.register_schedule(
            name="plugins.deliveries_prune",
            func="panel1.plugins.hooks.deliveries_prune_task",
            minutes=24 * 60,
            per_tenant=True,
        )
        provisioning.register_demo_step("plugins", demo.demo_plugins_enable)
        state.connect_request_signals()
        hooks.connect_event_bus()
