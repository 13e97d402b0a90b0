"""/desk/: mounted by tickets/urls.py."""

from django.urls import include, path, re_path

from desk.admin_area import urls as admin_area_urls
from desk.views import assist, auth, dashboard, queues, ticket

app_name = "desk"

REF = r"(?P<ref>[^/]+)"

urlpatterns = [
    path("login/", auth.DeskLoginView.as_view(), name="login"),
    path("logout/", auth.DeskLogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("admin/", include(admin_area_urls.urlpatterns)),
    path("counts/", queues.sidebar_counts, name="counts"),
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
