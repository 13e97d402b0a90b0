from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "panel1.tenants"
    label = "tenants"
    verbose_name = "Tenants"
