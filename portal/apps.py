from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self):
        from panel1.tenants import provisioning
        from portal import demo

        provisioning.register_demo_step("demo satisfaction ratings", demo.demo_satisfaction_create)
