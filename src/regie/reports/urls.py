"""Pages of council reports and briefings, under ``/<org>/rapportage/``.

Every URL below a report carries the report's id; views look the report up within the
organisation of the URL, and a build or file within that report, so that ids of another gemeente
are a 404.
"""

from django.urls import path

from regie.reports import views

app_name = "reports"

org_urlpatterns = [
    path("rapportage/", views.index, name="index"),
    path("rapportage/nieuw/", views.report_create, name="report_create"),
    path("rapportage/<int:report_id>/", views.report_detail, name="report_detail"),
    path("rapportage/<int:report_id>/teksten/", views.report_texts, name="report_texts"),
    path("rapportage/<int:report_id>/vastleggen/", views.report_lock, name="report_lock"),
    path("rapportage/<int:report_id>/verzenden/", views.report_send, name="report_send"),
    path("rapportage/<int:report_id>/bouwen/", views.build_request, name="build_request"),
    path(
        "rapportage/<int:report_id>/bouw/<int:build_id>/",
        views.build_status,
        name="build_status",
    ),
    path(
        "rapportage/<int:report_id>/bestand/<int:file_id>/",
        views.file_download,
        name="file_download",
    ),
]
