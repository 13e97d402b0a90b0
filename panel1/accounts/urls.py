from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from panel1.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # One reset flow for everyone: the portal's (mail sent by a task, rate-limited, and no
    # hint whether an account exists).
    path(
        "accounts/password-reset/",
        RedirectView.as_view(pattern_name="portal:password_forgot", query_string=True),
        name="password_reset",
    ),
]
