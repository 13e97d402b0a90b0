"""/desk/admin/...: included by desk/urls.py inside the "desk" namespace."""

from django.urls import path

from desk.admin_area import overview, sla

urlpatterns = [
    path("", overview.overview, name="admin"),
    path("sla/", sla.profile_list, name="admin-sla"),
    path("sla/new/", sla.profile_edit, name="admin-sla-new"),
    path("sla/<uuid:pk>/", sla.profile_edit, name="admin-sla-edit"),
    path("sla/<uuid:pk>/delete/", sla.profile_delete, name="admin-sla-delete"),
]
