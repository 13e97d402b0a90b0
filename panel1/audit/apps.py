from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "panel1.audit"
    label = "audit"
    verbose_name = "Audit log"
