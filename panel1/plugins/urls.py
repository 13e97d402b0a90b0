"""Plugin pages, mounted by the tenant URLconf."""

from django.urls import path

from panel1.plugins import views

urlpatterns = [
    path("desk/apps/<str:name>/", views.desk_app, name="plugin-desk-app"),
    path("desk/apps/<str:name>/<path:rest>", views.desk_app, name="plugin-desk-page"),
    path("apps/<str:name>/", views.portal_app, name="plugin-portal-app"),
    path("apps/<str:name>/<path:rest>", views.portal_app, name="plugin-portal-page"),
]
