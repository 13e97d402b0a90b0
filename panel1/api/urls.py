"""The API root: /api/v1/. Each app contributes `<app>.api.urls.urlpatterns`."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from panel1.api.views import MeView

# reports first: its `tickets/export/` must win over the tickets router's `tickets/{id}/`.
API_APPS = ["reports", "tickets", "sla", "automation", "knowledgebase"]


def _app_urls():
    patterns = []
    for app in API_APPS:
        try:
            module = import_module(f"{app}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{app}.api", f"{app}.api.urls"):
                raise
            continue
        patterns.append(path("", include(module)))
    return patterns


urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *_app_urls(),
]
