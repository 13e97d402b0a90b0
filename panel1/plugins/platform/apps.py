from django.apps import AppConfig


class PluginPlatformConfig(AppConfig):
    name = "panel1.plugins.platform"
    label = "plugins_platform"
    verbose_name = "Plugin policy"
    default_auto_field = "django.db.models.BigAutoField"
