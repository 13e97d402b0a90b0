"""URLs of the public schema: the platform's landing page and platform admin."""

from django.urls import path

from panel1.core.admin import platform_admin_site
from panel1.core.views import favicon, landing
from panel1.i18n.views import javascript_catalog

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", platform_admin_site.urls),
    path("i18n/js/<str:language>/", javascript_catalog, name="javascript-catalog"),
    path("", landing, name="landing"),
]

handler400 = "panel1.core.views.bad_request"
handler403 = "panel1.core.views.permission_denied"
handler404 = "panel1.core.views.page_not_found"
handler500 = "panel1.core.views.server_error"
