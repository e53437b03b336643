"""References number the signals of a gemeente per year without gaps, past 99,999 too."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from regie.cases.models import ReferenceCounter, Signal
from regie.cases.tests import factories


@pytest.mark.django_db
def test_references_count_on_per_gemeente_and_year(maassluis: Any, alblasserdam: Any) -> None:
    first = factories.make_signal(maassluis)
    second = factories.make_signal(maassluis)
    other = factories.make_signal(alblasserdam)
    year = first.received_at.year
    assert first.reference == f"GM0556-{year}-00001"
    assert second.reference == f"GM0556-{year}-00002"
    assert other.reference == f"GM0482-{year}-00001"


@pytest.mark.django_db
def test_a_counter_starts_after_the_highest_number_already_there(maassluis: Any) -> None:
    signal = factories.make_signal(maassluis)
    year = signal.received_at.year
    # References written elsewhere (an older installation): the counter starts after them,
    # numerically (100000 comes after 99999).
    Signal.objects.filter(pk=signal.pk).update(reference=f"GM0556-{year}-100000")
    ReferenceCounter.objects.all().delete()
    later = factories.make_signal(maassluis)
    assert later.reference == f"GM0556-{year}-100001"
    url = reverse("cases:detail", kwargs={"org": maassluis.slug, "ref": later.reference})
    assert url.endswith(f"/GM0556-{year}-100001/")
