from django.apps import AppConfig


class PluginsConfig(AppConfig):
    name = "panel1.plugins"
    label = "plugins"
    verbose_name = "Plugins"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1.plugins import hooks, state
        from panel1.plugins.registry import registry

        registry.load()
        state.connect_request_signals()
        hooks.connect_event_bus()
