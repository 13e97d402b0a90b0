from django.urls import path

from reports.api import views

app_name = "reports-api"

urlpatterns = [
    path("tickets/export/", views.TicketExportView.as_view(), name="tickets-export"),
    path("stats/support/", views.SupportStatsView.as_view(), name="stats-support"),
    path("reports/digest/", views.DigestSubscriptionView.as_view(), name="digest-subscription"),
    path("reports/<str:name>/", views.ReportView.as_view(), name="report"),
]
