from django.urls import include, path
from rest_framework.routers import SimpleRouter

from panel1.privacy.api import views

router = SimpleRouter()
router.register("privacy/exports", views.DataExportViewSet, basename="export")
router.register("privacy/erasures", views.ErasureViewSet, basename="erasure")

app_name = "privacy-api"

urlpatterns = [
    path(
        "privacy/exports/<uuid:pk>/download/",
        views.DataExportDownloadView.as_view(),
        name="export-download",
    ),
    path("", include(router.urls)),
]
