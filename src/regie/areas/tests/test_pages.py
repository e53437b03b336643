"""The /gebieden/ pages: former gemeenten, predecessors, buurtindeling years, paging, search."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel, AreaName, Population
from regie.areas.views import AREAS_PER_PAGE

pytestmark = pytest.mark.django_db


def _gemeente(code: str, name: str, parent: Area, **kw: object) -> Area:
    return Area.objects.create(
        code=code, name=name, level=AreaLevel.GEMEENTE, parent=parent, source="t", **kw
    )


@pytest.fixture
def history(areas):
    pv = areas["pv"]
    altena = _gemeente("GM1959", "Altena", pv, valid_from=date(2019, 1, 1))
    for code, name in (("GM0738", "Aalburg"), ("GM0870", "Werkendam")):
        _gemeente(code, name, pv, active=False, valid_to=date(2019, 1, 1)).successors.set([altena])
    oisterwijk = _gemeente("GM0824", "Oisterwijk", pv)
    vught = _gemeente("GM0865", "Vught", pv)
    haaren = _gemeente("GM0788", "Haaren", pv, active=False, valid_to=date(2021, 1, 1))
    haaren.successors.set([oisterwijk, vught])
    return {"altena": altena, "oisterwijk": oisterwijk, "haaren": haaren}


def _page(client, code: str) -> str:
    response = client.get(reverse("areas:detail", kwargs={"code": code}))
    assert response.status_code == 200
    return response.content.decode()


def test_former_gemeente_says_where_it_went_and_when(history, areas, member, maassluis, login):
    client = login(member(maassluis, Role.HANDHAVER))
    html = _page(client, "GM0738")
    history = html.split('id="history">', 1)[1].split("</p>", 1)[0]
    # "Opgegaan in <a href=...>Altena</a> per 1 januari 2019."
    assert reverse("areas:detail", kwargs={"code": "GM1959"}) in history
    assert "Altena</a>" in history
    assert "1 januari 2019" in history
    split = _page(client, "GM0788")
    history = split.split('id="history">', 1)[1].split("</ul>", 1)[0]
    assert "1 januari 2021" in history  # "Per 1 januari 2021 verdeeld over:" and a list
    assert "Oisterwijk</a>" in history
    assert "Vught</a>" in history


def test_gemeente_lists_its_predecessors(history, areas, member, maassluis, login):
    client = login(member(maassluis))
    html = _page(client, "GM1959")
    table = html.split('id="predecessors"', 1)[1].split("</table>", 1)[0]
    assert "Aalburg" in table
    assert "Werkendam" in table
    assert "1 januari 2019" in table
    assert "Haaren" not in table
    oisterwijk = _page(client, "GM0824")
    table = oisterwijk.split('id="predecessors"', 1)[1].split("</table>", 1)[0]
    assert "Haaren" in table
    assert "1 januari 2021" in table
    assert " 2 " in table  # "deels (verdeeld over 2 gemeenten)"


def test_buurt_shows_its_indeling_years_and_older_names(areas, member, maassluis, login):
    AreaName.objects.create(area=areas["bu"], year=2023, name="Oude naam", source="t")
    AreaName.objects.create(area=areas["bu"], year=2024, name="Buurt 01", source="t")
    Population.objects.create(area=areas["bu"], year=2024, value=1125, source="t")
    html = _page(login(member(maassluis)), "BU05560101")
    assert '<dd class="utrecht-data-list__item-value" id="indeling-years">2023, 2024</dd>' in html
    assert "Oude naam (" in html
    assert "2023)" in html
    assert ">2024</th>" in html  # years are never grouped ("2.024")
    assert "1.125" in html


def test_index_lists_former_gemeenten_on_request(history, areas, member, maassluis, login):
    client = login(member(maassluis))
    current = client.get(reverse("areas:index"), {"niveau": "gemeente"}).content.decode()
    assert "Altena" in current
    assert "Aalburg" not in current
    former = client.get(
        reverse("areas:index"), {"niveau": "gemeente", "status": "opgeheven"}
    ).content.decode()
    assert "Aalburg" in former
    assert "Altena" in former
    # "Aalburg (opgegaan in Altena per 1 januari 2019)"; Haaren (split): "opgeheven per ...".
    aalburg = former.split(">Aalburg</a>", 1)[1].split("</td>", 1)[0]
    assert "Altena" in aalburg
    assert "1 januari 2019" in aalburg
    haaren = former.split(">Haaren</a>", 1)[1].split("</td>", 1)[0]
    assert "1 januari 2021" in haaren
    assert "Oisterwijk" not in haaren
    assert "None" not in former  # no figure: a dash, not "None"


def test_index_pages_and_searches_buurten(areas, member, maassluis, login):
    wijk = areas["wk"]
    Area.objects.bulk_create(
        Area(code=f"BU05569{i:03d}", name=f"Buurt {i:04d}", level="buurt", parent=wijk, source="t")
        for i in range(2, AREAS_PER_PAGE + 30)
    )
    AreaName.objects.create(area=areas["bu"], year=2024, name="Buurt 01", source="t")
    client = login(member(maassluis))
    url = reverse("areas:index")
    first = client.get(url, {"niveau": "buurt"}).content.decode()
    assert first.count('class="utrecht-link" href="/gebieden/BU') == AREAS_PER_PAGE
    assert "Pagina 1 van 2" in first
    assert " 2024" in first  # "buurtindeling 2024"
    assert "Wijk 01, Maassluis" in first
    second = client.get(url, {"niveau": "buurt", "pagina": 2}).content.decode()
    assert "Pagina 2 van 2" in second
    assert second.count('class="utrecht-link" href="/gebieden/BU') == 29
    found = client.get(url, {"niveau": "buurt", "zoek": "BU05560101"}).content.decode()
    assert "Buurt 01" in found
    assert "Buurt 0002" not in found


def test_gemeente_page_leaves_out_buurten_of_older_indelingen(areas, member, maassluis, login):
    Area.objects.create(
        code="BU05560199",
        name="Vervallen buurt",
        level="buurt",
        parent=areas["wk"],
        active=False,
        source="t",
    )
    AreaName.objects.create(area=areas["bu"], year=2024, name="Buurt 01", source="t")
    client = login(member(maassluis))
    html = client.get(reverse("org_areas:gemeente_areas", kwargs={"org": "gm0556"})).content
    text = html.decode()
    assert "Buurt 01" in text
    assert "Vervallen buurt" not in text
    assert 'id="buurtindeling"' in text
    assert " 2024" in text
