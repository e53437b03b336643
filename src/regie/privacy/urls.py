"""The privacy officer's pages of an organisation (``/<org>/privacy/…``)."""

from __future__ import annotations

from django.urls import path

from regie.privacy import views

org_urlpatterns = [
    path("privacy/", views.read_log, name="readlog"),
    path("privacy/export/", views.read_log_export, name="readlog_export"),
    path("privacy/verwerkingen/", views.activities, name="activities"),
    path("privacy/bewaartermijnen/", views.retention, name="retention"),
    path("privacy/inzage/", views.inzage, name="inzage"),
]
