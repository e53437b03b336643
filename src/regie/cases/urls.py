"""The Meldpunt's pages of an organisation (``/<org>/meldpunt/…``) and the public form
(``/melden/<gemeente>/…``)."""

from __future__ import annotations

from django.urls import path, register_converter

from regie.cases.converters import ReferenceConverter
from regie.cases.views import intake, public, queue, setup, signal

register_converter(ReferenceConverter, "ref")

org_urlpatterns = [
    path("meldpunt/", queue.werkvoorraad, name="queue"),
    path("meldpunt/filters/", queue.save_filter, name="filter_save"),
    path("meldpunt/filters/<int:pk>/verwijderen/", queue.delete_filter, name="filter_delete"),
    path("meldpunt/nieuw/", intake.new_signal, name="new"),
    path("meldpunt/beheer/categorieen/", setup.categories, name="categories"),
    path("meldpunt/beheer/categorieen/<int:pk>/", setup.category_edit, name="category_edit"),
    path("meldpunt/beheer/toegang/", setup.grants, name="grants"),
    path("meldpunt/<ref:ref>/", signal.detail, name="detail"),
    path("meldpunt/<ref:ref>/doel/", signal.purpose, name="purpose"),
    path("meldpunt/<ref:ref>/status/", signal.status, name="status"),
    path("meldpunt/<ref:ref>/delen/", signal.share, name="share"),
    path("meldpunt/<ref:ref>/delen/<int:pk>/intrekken/", signal.revoke, name="share_revoke"),
    path("meldpunt/<ref:ref>/bewaarplicht/", signal.legal_hold, name="hold"),
    path("meldpunt/<ref:ref>/corrigeren/<int:subject>/", signal.correct, name="correct"),
    path("meldpunt/<ref:ref>/bijlagen/<int:pk>/", signal.attachment, name="attachment"),
    path("meldpunt/<ref:ref>/hermeldingen/<str:kind>/", signal.matches, name="matches"),
]

public_urlpatterns = [
    path("melden/<slug:org>/", public.form, name="form"),
    path("melden/<slug:org>/ontvangen/", public.received, name="received"),
    path("melden/<slug:org>/status/", public.status, name="status"),
]
