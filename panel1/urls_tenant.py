"""URLs served on a tenant's host (acme.localhost, support.acme.com)."""

from django.contrib import admin
from django.urls import include, path

from automation import urls as automation_urls
from knowledgebase import urls as knowledgebase_urls
from panel1.core import views as core_views
from panel1.i18n import views as i18n_views
from panel1.tenants import views as tenant_views
from tickets import urls as tickets_urls

urlpatterns = [
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/settings/", tenant_views.branding_edit, name="tenant-settings"),
    path("branding/logo", tenant_views.branding_logo, name="tenant-logo"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("panel1.api.urls")),
    path("i18n/setlang/", i18n_views.set_language, name="set_language"),
    path("i18n/js/<str:language>/", i18n_views.javascript_catalog, name="javascript-catalog"),
    path("", include("panel1.plugins.urls")),
    path("", include("panel1.accounts.urls")),
    # A root URLconf may name every app (the import contract exempts it).
    path("desk/", include("desk.urls")),
    path("", include(tickets_urls)),
    path("", include(knowledgebase_urls)),
    path("", include(automation_urls)),
    # Last: the portal's patterns sit at the root and must not shadow the apps above.
    path("", include("portal.urls")),
]

handler400 = "panel1.core.views.bad_request"
handler403 = "panel1.core.views.permission_denied"
handler404 = "panel1.core.views.page_not_found"
handler500 = "panel1.core.views.server_error"
