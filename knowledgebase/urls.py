"""Knowledge-base pages (auto-included by the tenant URLconf)."""

from django.urls import path

from knowledgebase import views

app_name = "kb"

urlpatterns = [
    path("kb/", views.index, name="index"),
    path("kb/search/", views.search, name="search"),
    path("kb/insights/", views.insights, name="insights"),
    path("kb/suggest/", views.suggest, name="suggest"),
    path("kb/images/<uuid:pk>/", views.image, name="image"),
    path("kb/tickets/<uuid:pk>/suggestions/", views.ticket_suggestions, name="ticket-suggestions"),
    path("kb/<slug:slug>/", views.category_or_article, name="detail"),
    path("kb/<slug:slug>/feedback/", views.feedback, name="feedback"),
]
