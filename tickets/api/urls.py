from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tickets.api import agents, customers, views

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("agents", agents.AgentViewSet, basename="agent")
router.register("customers", customers.CustomerViewSet, basename="customer")
router.register("organizations", customers.OrganizationViewSet, basename="organization")

app_name = "tickets-api"

urlpatterns = [
    path(
        "attachments/<str:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"
    ),
    path("", include(router.urls)),
]
