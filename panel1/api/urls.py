"""The API root: /api/v1/. Each app contributes `<app>.api.urls.urlpatterns`.

A root URLconf may name every app (the import contract exempts it), so they are listed here.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from automation.api import urls as automation_api
from knowledgebase.api import urls as knowledgebase_api
from panel1.api.token_views import ApiTokenViewSet
from panel1.api.views import MeView
from panel1.audit.api import urls as audit_api
from panel1.plugins.api import urls as plugins_api
from panel1.privacy.api import urls as privacy_api
from reports.api import urls as reports_api
from sla.api import urls as sla_api
from tickets.api import urls as tickets_api

token_router = SimpleRouter()
token_router.register("tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(token_router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file: the CSP allows no inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # reports first: its `tickets/export/` must win over the tickets router's `tickets/{id}/`.
    path("", include(reports_api)),
    path("", include(tickets_api)),
    path("", include(sla_api)),
    path("", include(automation_api)),
    path("", include(knowledgebase_api)),
    path("", include(audit_api)),
    path("", include(privacy_api)),
    path("", include(plugins_api)),
]
