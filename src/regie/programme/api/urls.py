"""URL patterns of the programme API; ``regie.api_urls`` includes them under ``/api/v1/``."""

from __future__ import annotations

from django.urls import path

from regie.programme.api import views

urlpatterns = [
    path("programmes/", views.ProgrammeList.as_view(), name="programme_list"),
    path("programmes/<int:pk>/", views.ProgrammeDetail.as_view(), name="programme_detail"),
]
