"""URLs of the public schema: the platform's landing page and platform admin."""

from django.urls import path

from panel1.core.admin import platform_admin_site
from panel1.core.views import landing

urlpatterns = [
    path("admin/", platform_admin_site.urls),
    path("", landing, name="landing"),
]
