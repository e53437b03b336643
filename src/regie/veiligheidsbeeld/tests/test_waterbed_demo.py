"""The waterbed page on the real demo figures: its default choices give a result (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from regie.accounts.models import Role
from regie.core.models import Organisation
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["gm0556", "gm0482"])
def test_the_default_page_gives_a_result_on_the_demo(
    demo_figures: Any,  # noqa: F811 - the fixture imported above
    member: Any,
    login: Any,
    slug: str,
) -> None:
    client = login(member(Organisation.objects.get(slug=slug), Role.RAADPLEGER))
    response = client.get(f"/{slug}/veiligheidsbeeld/waterbed/")
    assert response.status_code == 200
    result = response.context["result"]
    assert result is not None, response.context["form"].errors
    # Twelve whole months against the same months a year earlier, no area in two roles.
    assert len(result.before.months) == len(result.after.months) == 12
    roles = [code for codes in result.groups.values() for code in codes]
    assert result.groups["control_target"] == result.groups["control_displacement"]
    assert len(set(roles)) == 3
    assert result.groups["target"] == [slug.upper()]
    page = response.content.decode()
    assert 'id="result"' in page
