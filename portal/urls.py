"""The customer portal, mounted at the tenant host's root (/) by tickets.urls."""

from django.urls import path

from portal.access import portal_login_required
from portal.views import accounts, home, privacy, satisfaction, tickets

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    # Accounts
    path("login/", accounts.PortalLoginView.as_view(), name="login"),
    path("logout/", accounts.PortalLogoutView.as_view(), name="logout"),
    path("account/signup/", accounts.signup, name="signup"),
    path("account/signup/sent/", accounts.signup_done, name="signup_done"),
    path("account/verify/resend/", accounts.verify_resend, name="verify_resend"),
    path("account/verify/<str:uidb64>/<str:token>/", accounts.verify_email, name="verify_email"),
    path(
        "account/password/forgot/",
        accounts.password_request,
        {"mode": "reset"},
        name="password_forgot",
    ),
    path("account/claim/", accounts.password_request, {"mode": "claim"}, name="account_claim"),
    path("account/password/sent/", accounts.password_sent, name="password_sent"),
    path(
        "account/password/change/",
        portal_login_required(accounts.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "account/password/<str:uidb64>/<str:token>/",
        accounts.PasswordSetView.as_view(),
        name="password_set",
    ),
    path("account/profile/", accounts.profile, name="profile"),
    path("account/privacy/", privacy.privacy_home, name="privacy"),
    path("account/privacy/export/", privacy.privacy_export, name="privacy_export"),
    path("account/privacy/erasure/", privacy.privacy_erasure, name="privacy_erasure"),
    # Tickets
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/new/suggestion-opened/", tickets.suggestion_opened, name="suggestion_opened"),
    path("tickets/<str:ref>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<str:ref>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<str:ref>/resolve/", tickets.ticket_resolve, name="ticket_resolve"),
    path("tickets/<str:ref>/rate/", tickets.ticket_rate, name="ticket_rate"),
    path("tickets/<str:ref>/cc/", tickets.ticket_cc_add, name="ticket_cc_add"),
    path(
        "tickets/<str:ref>/cc/<uuid:user_id>/remove/",
        tickets.ticket_cc_remove,
        name="ticket_cc_remove",
    ),
    path("attachments/<uuid:pk>/", tickets.attachment_download, name="attachment"),
    path(
        "attachments/<uuid:pk>/<str:size>/",
        tickets.attachment_preview,
        name="attachment-preview",
    ),
    # The one-click rating link (tickets.satisfaction.survey_path builds it)
    path("satisfaction/<str:token>/", satisfaction.satisfaction_link, name="satisfaction"),
]
