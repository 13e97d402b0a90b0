"""/desk/: mounted by tickets/urls.py."""

from django.urls import path, re_path

from desk.views import (
    assist,
    audit,
    auth,
    dashboard,
    plugins,
    privacy,
    queues,
    reports,
    ticket,
    tokens,
    twofactor,
)

app_name = "desk"

REF = r"(?P<ref>[^/]+)"

urlpatterns = [
    path("login/", auth.DeskLoginView.as_view(), name="login"),
    path("logout/", auth.DeskLogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("counts/", queues.sidebar_counts, name="counts"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_log_csv, name="audit-csv"),
    path("2fa/", twofactor.twofactor_home, name="twofactor"),
    path("2fa/verify/", twofactor.twofactor_verify, name="twofactor-verify"),
    path("2fa/setup/<int:pk>/", twofactor.twofactor_setup, name="twofactor-setup"),
    path("2fa/disable/", twofactor.twofactor_disable, name="twofactor-disable"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<uuid:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("privacy/", privacy.privacy_page, name="privacy"),
    path("privacy/export/", privacy.privacy_export_start, name="privacy-export"),
    path("privacy/retention/", privacy.retention_update, name="privacy-retention"),
    path("privacy/security/", privacy.security_update, name="privacy-security"),
    path("privacy/erasure/", privacy.privacy_erasure_start, name="privacy-erasure"),
    path(
        "privacy/erasure/<uuid:pk>/approve/",
        privacy.privacy_erasure_approve,
        name="privacy-erasure-approve",
    ),
    path("reports/", reports.report_page, name="reports"),
    path("reports/<slug:name>/", reports.report_page, name="report"),
    path("search/", queues.queue, name="search"),
    path("search/rows/", queues.queue_rows, name="search-rows"),
    path("queue/<slug:key>/", queues.queue, name="queue"),
    path("queue/<slug:key>/rows/", queues.queue_rows, name="queue-rows"),
    path("views/", queues.saved_view_create, name="saved-view-create"),
    path("views/<uuid:key>/", queues.queue, name="saved-view"),
    path("views/<uuid:key>/rows/", queues.queue_rows, name="saved-view-rows"),
    path("views/<uuid:pk>/edit/", queues.saved_view_update, name="saved-view-update"),
    path("views/<uuid:pk>/delete/", queues.saved_view_delete, name="saved-view-delete"),
    path("bulk/", queues.bulk, name="bulk"),
    path("plugins/", plugins.plugin_list, name="plugins"),
    path(
        "plugins/<str:name>/<str:action>/",
        plugins.plugin_switch,
        name="plugin-switch",
    ),
    path("plugins/<str:name>/settings/save/", plugins.plugin_settings, name="plugin-settings"),
    path("canned/", assist.canned_search, name="canned"),
    path("canned/<uuid:pk>/used/", assist.canned_used, name="canned-used"),
    path("preview/", assist.preview, name="preview"),
    path("attachments/<uuid:pk>/", assist.attachment_download, name="attachment"),
    re_path(rf"^tickets/{REF}/$", ticket.ticket_page, name="ticket"),
    re_path(rf"^tickets/{REF}/live/$", ticket.ticket_live, name="ticket-live"),
    re_path(rf"^tickets/{REF}/reply/$", ticket.ticket_reply, name="ticket-reply"),
    re_path(rf"^tickets/{REF}/props/$", ticket.ticket_props, name="ticket-props"),
    re_path(rf"^tickets/{REF}/assign-me/$", ticket.ticket_assign_me, name="ticket-assign-me"),
    re_path(rf"^tickets/{REF}/cc/$", ticket.ticket_cc, name="ticket-cc"),
    re_path(rf"^tickets/{REF}/draft/$", assist.draft_save, name="ticket-draft"),
    re_path(rf"^tickets/{REF}/presence/$", assist.presence, name="ticket-presence"),
    re_path(rf"^tickets/{REF}/kb/$", assist.kb_suggestions, name="ticket-kb"),
]
