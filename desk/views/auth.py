"""Desk login and logout: Django's auth views with the desk's templates and redirects."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from panel1.accounts.views import LoginView


class DeskLoginView(LoginView):
    """Staff land in the desk (or where `next` points); customers go to the portal."""

    template_name = "desk/login.html"

    def get_success_url(self):
        if not self.request.user.is_helpdesk_staff:
            return "/"
        return super().get_success_url()


class DeskLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("desk:login")
