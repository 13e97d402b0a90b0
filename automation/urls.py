"""The rule builder pages, under the agent desk."""

from django.urls import path

from automation import views

app_name = "automation"

urlpatterns = [
    path("desk/automation/", views.rule_list, name="rule_list"),
    path("desk/automation/new/", views.rule_builder, name="rule_new"),
    path("desk/automation/validate/", views.rule_validate, name="rule_validate"),
    path("desk/automation/dry-run/", views.rule_dry_run_view, name="rule_dry_run"),
    path("desk/automation/<uuid:pk>/", views.rule_builder, name="rule_edit"),
    path("desk/automation/<uuid:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("desk/automation/<uuid:pk>/move/", views.rule_move, name="rule_move"),
    path("desk/automation/<uuid:pk>/delete/", views.rule_delete, name="rule_delete"),
]
