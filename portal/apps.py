from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    label = "portal"
    verbose_name = _("Customer portal")

    def ready(self):
        from panel1.tenants import provisioning
        from portal import demo

        provisioning.register_demo_step("demo satisfaction ratings", demo.demo_satisfaction_create)
