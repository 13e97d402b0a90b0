from django.urls import include, path
from rest_framework.routers import SimpleRouter

from sla.api import views

router = SimpleRouter()
router.register("sla/profiles", views.SlaProfileViewSet, basename="sla-profile")

app_name = "sla-api"

urlpatterns = [
    path("stats/sla/", views.SlaStatsView.as_view(), name="stats-sla"),
    path(
        "sla/tickets/<str:ref>/explanation/",
        views.TicketSlaExplanationView.as_view(),
        name="ticket-explanation",
    ),
    path("", include(router.urls)),
]
