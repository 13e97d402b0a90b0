"""/desk/admin/...: included by desk/urls.py inside the "desk" namespace."""

from django.urls import path

from desk.admin_area import automation, overview, sla

urlpatterns = [
    path("", overview.overview, name="admin"),
    path("sla/", sla.profile_list, name="admin-sla"),
    path("sla/new/", sla.profile_edit, name="admin-sla-new"),
    path("sla/<uuid:pk>/", sla.profile_edit, name="admin-sla-edit"),
    path("sla/<uuid:pk>/delete/", sla.profile_delete, name="admin-sla-delete"),
    path("automation/", automation.rule_list, name="admin-automation"),
    path("automation/new/", automation.rule_builder, name="admin-automation-new"),
    path("automation/validate/", automation.rule_validate, name="admin-automation-validate"),
    path("automation/dry-run/", automation.rule_dry_run_view, name="admin-automation-dry-run"),
    path("automation/<uuid:pk>/", automation.rule_builder, name="admin-automation-edit"),
    path("automation/<uuid:pk>/toggle/", automation.rule_toggle, name="admin-automation-toggle"),
    path("automation/<uuid:pk>/move/", automation.rule_move, name="admin-automation-move"),
    path("automation/<uuid:pk>/delete/", automation.rule_delete, name="admin-automation-delete"),
]
