from django.apps import AppConfig


class PluginsConfig(AppConfig):
    name = "panel1.plugins"
    label = "plugins"
    verbose_name = "Plugins"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1.plugins import demo, hooks, state
        from panel1.plugins.registry import registry
        from panel1.tenants import provisioning

        registry.load()
        provisioning.register_demo_step("plugins", demo.demo_plugins_enable)
        state.connect_request_signals()
        hooks.connect_event_bus()
