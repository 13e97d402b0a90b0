from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "panel1.privacy"
    label = "privacy"
    verbose_name = "Privacy requests"

    def ready(self):
        from panel1.privacy import core

        core.register()
