from django.urls import include, path
from rest_framework.routers import SimpleRouter

from automation.api import views

router = SimpleRouter()
router.register("automation/rules", views.RuleViewSet, basename="automation-rule")
router.register("automation/templates", views.TemplateViewSet, basename="automation-template")

app_name = "automation-api"

urlpatterns = [
    path("automation/fields/", views.RegistryView.as_view(), name="automation-fields"),
    path("", include(router.urls)),
]
