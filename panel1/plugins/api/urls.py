from django.urls import path

from panel1.plugins.api import views

urlpatterns = [
    path("plugins/", views.PluginListView.as_view(), name="api-plugin-list"),
    path("plugins/<str:name>/enable/", views.PluginEnableView.as_view(), name="api-plugin-enable"),
    path(
        "plugins/<str:name>/disable/", views.PluginDisableView.as_view(), name="api-plugin-disable"
    ),
    path(
        "plugins/<str:name>/settings/",
        views.PluginSettingsView.as_view(),
        name="api-plugin-settings",
    ),
    path("plugins/<str:name>/api/", views.plugin_api, name="api-plugin-api-root"),
    path("plugins/<str:name>/api/<path:rest>", views.plugin_api, name="api-plugin-api"),
]
