from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginPlatformConfig(AppConfig):
    name = "panel1.plugins.platform"
    label = "plugins_platform"
    verbose_name = _("Plugin policy")
    default_auto_field = "django.db.models.BigAutoField"
