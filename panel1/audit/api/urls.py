from django.urls import include, path
from rest_framework.routers import SimpleRouter

from panel1.audit.api import views

router = SimpleRouter()
router.register("audit", views.AuditEntryViewSet, basename="audit-entry")

app_name = "audit-api"

urlpatterns = [path("", include(router.urls))]
