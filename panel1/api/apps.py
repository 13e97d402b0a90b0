from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "panel1.api"
    label = "api"
    verbose_name = "API"
