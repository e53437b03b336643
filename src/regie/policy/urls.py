"""Pages of the Beleid section, under ``/<org>/beleid/``.

Every URL below a plan carries the plan's id; views look the plan up within the organisation of
the URL, and the item within that plan, so that ids of another gemeente are a 404.
"""

from django.urls import path

from regie.policy import scenario_views, views

app_name = "policy"

org_urlpatterns = [
    path("beleid/", views.index, name="index"),
    path("beleid/nieuw/", views.plan_create, name="plan_create"),
    path("beleid/importeren/", views.plan_import, name="plan_import"),
    path("beleid/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("beleid/<int:plan_id>/bewerken/", views.plan_edit, name="plan_edit"),
    path("beleid/<int:plan_id>/vaststellen/", views.plan_adopt, name="plan_adopt"),
    path("beleid/<int:plan_id>/nieuwe-versie/", views.plan_new_version, name="plan_new_version"),
    path("beleid/<int:plan_id>/verschillen/", views.plan_diff, name="plan_diff"),
    path("beleid/<int:plan_id>/plan.yaml", views.plan_export, name="plan_export"),
    path("beleid/<int:plan_id>/momentopnamen/", views.snapshot_list, name="snapshot_list"),
    path("beleid/<int:plan_id>/momentopnamen/nemen/", views.snapshot_take, name="snapshot_take"),
    path(
        "beleid/<int:plan_id>/momentopnamen/<int:snapshot_id>/",
        views.snapshot_detail,
        name="snapshot_detail",
    ),
    path("beleid/<int:plan_id>/scenarios/", scenario_views.scenarios, name="scenarios"),
    path(
        "beleid/<int:plan_id>/scenario/<int:scenario_id>/kiezen/",
        scenario_views.scenario_choose,
        name="scenario_choose",
    ),
    path("beleid/<int:plan_id>/doel/<int:goal_id>/", views.goal_detail, name="goal_detail"),
    path(
        "beleid/<int:plan_id>/indicator/<int:indicator_id>/",
        views.indicator_detail,
        name="indicator_detail",
    ),
    path(
        "beleid/<int:plan_id>/indicator/<int:indicator_id>/status/",
        views.indicator_override,
        name="indicator_override",
    ),
    path("beleid/<int:plan_id>/<slug:kind>/nieuw/", views.item_create, name="item_create"),
    path(
        "beleid/<int:plan_id>/<slug:kind>/<int:item_id>/bewerken/",
        views.item_edit,
        name="item_edit",
    ),
    path(
        "beleid/<int:plan_id>/<slug:kind>/<int:item_id>/verwijderen/",
        views.item_delete,
        name="item_delete",
    ),
]
