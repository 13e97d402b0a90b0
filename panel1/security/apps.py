from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "panel1.security"
    label = "security"
    verbose_name = "Security (two-factor authentication)"
