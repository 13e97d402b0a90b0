"""Web endpoints of the tickets app: the inbound mail webhooks (/mail/)."""

from django.urls import include, path

urlpatterns = [
    path("mail/", include("tickets.email.urls")),
]
