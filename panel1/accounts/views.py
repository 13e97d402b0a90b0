from django.contrib.auth import views as auth_views

from panel1.accounts.forms import RateLimitedAuthenticationForm


class LoginView(auth_views.LoginView):
    """Log in on the tenant host; staff land in the desk, customers in the portal."""

    redirect_authenticated_user = True
    authentication_form = RateLimitedAuthenticationForm

    def get_default_redirect_url(self):
        if self.request.user.is_helpdesk_staff:
            return "/desk/"
        return "/"
