from django.urls import include, path
from rest_framework.routers import SimpleRouter

from automation.api import routing, views

router = SimpleRouter()
router.register("automation/rules", views.RuleViewSet, basename="automation-rule")
router.register("automation/templates", views.TemplateViewSet, basename="automation-template")

app_name = "automation-api"

urlpatterns = [
    path("automation/fields/", views.RegistryView.as_view(), name="automation-fields"),
    path("routing/", routing.RoutingSettingsView.as_view(), name="routing-settings"),
    path(
        "tickets/<str:id>/auto-assign/", routing.AutoAssignView.as_view(), name="ticket-auto-assign"
    ),
    path("", include(router.urls)),
]
