"""Pages of the uitvoeringsprogramma, under ``/<org>/uitvoering/``.

Every URL below a programme carries the programme's id; views look the programme up within the
organisation of the URL, and an action within that programme, so that ids of another gemeente
are a 404.
"""

from django.urls import path

from regie.programme import views

app_name = "programme"

org_urlpatterns = [
    path("uitvoering/", views.index, name="index"),
    path("uitvoering/nieuw/", views.programme_create, name="programme_create"),
    path("uitvoering/capaciteit/", views.capacity, name="capacity"),
    path("uitvoering/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("uitvoering/<int:programme_id>/bewerken/", views.programme_edit, name="programme_edit"),
    path(
        "uitvoering/<int:programme_id>/vaststellen/",
        views.programme_adopt,
        name="programme_adopt",
    ),
    path(
        "uitvoering/<int:programme_id>/volgend-jaar/",
        views.programme_next,
        name="programme_next",
    ),
    path("uitvoering/<int:programme_id>/evaluatie/", views.evaluation, name="evaluation"),
    path(
        "uitvoering/<int:programme_id>/evaluatie/bewerken/",
        views.evaluation_edit,
        name="evaluation_edit",
    ),
    path("uitvoering/<int:programme_id>/actie/nieuw/", views.action_create, name="action_create"),
    path(
        "uitvoering/<int:programme_id>/actie/<int:action_id>/",
        views.action_detail,
        name="action_detail",
    ),
    path(
        "uitvoering/<int:programme_id>/actie/<int:action_id>/bewerken/",
        views.action_edit,
        name="action_edit",
    ),
    path(
        "uitvoering/<int:programme_id>/actie/<int:action_id>/verwijderen/",
        views.action_delete,
        name="action_delete",
    ),
    path(
        "uitvoering/<int:programme_id>/actie/<int:action_id>/voortgang/",
        views.action_progress,
        name="action_progress",
    ),
]
