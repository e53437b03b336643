"""URL patterns of the signals API; ``regie.api_urls`` includes them under ``/api/v1/``."""

from __future__ import annotations

from django.urls import path

from regie.cases.api import views

urlpatterns = [
    path("signals/", views.SignalList.as_view(), name="signal_list"),
    path("signals/<str:ref>/", views.SignalDetail.as_view(), name="signal_detail"),
]
