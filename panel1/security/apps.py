from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "panel1.security"
    label = "security"
    verbose_name = _("Security (two-factor sign-in)")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from panel1.security.receivers import remember_device_at_login

        user_logged_in.connect(remember_device_at_login, dispatch_uid="panel1.security.login")
