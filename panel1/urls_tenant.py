"""URLs served on a tenant's host (acme.localhost, support.acme.com)."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path

from panel1.tenants import views as tenant_views

WEB_APPS = ["tickets", "knowledgebase", "sla", "automation"]


def _web_urls():
    patterns = []
    for app in WEB_APPS:
        try:
            module = import_module(f"{app}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.urls":
                raise
            continue
        patterns.append(path("", include(module)))
    return patterns


urlpatterns = [
    path("admin/settings/", tenant_views.branding_edit, name="tenant-settings"),
    path("branding/logo", tenant_views.branding_logo, name="tenant-logo"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("panel1.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("panel1.plugins.urls")),
    path("", include("panel1.accounts.urls")),
    *_web_urls(),
]
