"""/desk/admin/...: included by desk/urls.py inside the "desk" namespace."""

from django.urls import path

from desk.admin_area import (
    agents,
    automation,
    canned,
    categories,
    email,
    outbox,
    overview,
    settings,
    sla,
)

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
    path("canned/", canned.canned_list, name="admin-canned"),
    path("canned/new/", canned.canned_edit, name="admin-canned-new"),
    path("canned/<uuid:pk>/", canned.canned_edit, name="admin-canned-edit"),
    path("canned/<uuid:pk>/delete/", canned.canned_delete, name="admin-canned-delete"),
    path("categories/", categories.category_list, name="admin-categories"),
    path("categories/<uuid:pk>/", categories.category_edit, name="admin-category-edit"),
    path("categories/<uuid:pk>/delete/", categories.category_remove, name="admin-category-delete"),
    path("agents/", agents.agent_list, name="admin-agents"),
    path("agents/<uuid:pk>/", agents.agent_edit, name="admin-agent-edit"),
    path("agents/<uuid:pk>/active/", agents.agent_active, name="admin-agent-active"),
    path("email/", email.email_overview, name="admin-email"),
    path("email/dkim/", email.dkim_generate, name="admin-email-dkim"),
    path("email/<slug:key>/", email.template_edit, name="admin-email-template"),
    path("email/<slug:key>/preview/", email.template_preview, name="admin-email-preview"),
    path("email/<slug:key>/reset/", email.template_reset, name="admin-email-reset"),
    path("settings/", settings.settings_edit, name="admin-settings"),
    path("mail-outbox/", outbox.outbox, name="admin-mail-outbox"),
]
