"""Importing a register (CSV/XLSX): all or nothing, every problem with row, column and value;
formulas stay text; oversized files and zip bombs are refused before they are unpacked."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from regie.cases import register_import
from regie.cases.models import Channel, ReporterType, Signal, SubjectKind
from regie.cases.register_import import files, values
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "Ontvangen;Kanaal;Categorie;Omschrijving;Achternaam;Tussenvoegsel;Voornamen;Geboortedatum;"
    "BSN;Straat;Huisnummer;Toevoeging;Postcode;Woonplaats;KvK;Kenteken;Melder type;Melder_naam;"
    "melder_telefoon;MELDER_EMAIL"
)
VALID_ROWS = (
    "3-2-2024;;Woonoverlast;Geluidsoverlast uit een woning;Vries;de;Jan;3-2-1980;111222333;"
    "Verzonnenstraat;12;;3141 AB;Maassluis;;;inwoner;Piet Proef;06-12345678;piet@example.org",
    "03-03-2024 14:30;import;Zorg & veiligheid > Huiselijk geweld;Ruzie gehoord;"
    '"Vries, de";;J.;03-02-1980;;Verzonnenstraat;12;;3141AB;Maassluis;;;anoniem;;;',
    '2024-04-01;mma;drugs en hennep;"=HYPERLINK(""http://x"";""klik"")";;;;;;;;;;;12345678;'
    "12-ABC-3;;;;",
)


def write_csv(tmp_path: Path, lines: list[str] | tuple[str, ...], *, bom: bool = True) -> Path:
    path = tmp_path / "register.csv"
    text = "\r\n".join([HEADER, *lines]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(path: Path, organisation: Organisation, **kwargs: bool) -> register_import.Result:
    return register_import.import_register(path, organisation, label="test", **kwargs)


def test_valid_csv_stores_every_row_with_hermeldingen(
    tmp_path: Path, maassluis: Organisation
) -> None:
    result = run(write_csv(tmp_path, VALID_ROWS), maassluis)
    assert result.count == 3
    signals = list(Signal.objects.filter(organisation=maassluis).order_by("received_at"))
    assert [s.reference for s in signals] == [
        "GM0556-2024-00001",
        "GM0556-2024-00002",
        "GM0556-2024-00003",
    ]
    first, second, third = signals
    assert first.channel == Channel.IMPORT
    assert first.reporter_type == ReporterType.RESIDENT
    assert first.reporter_email == "piet@example.org"
    assert first.postcode == "3141AB"
    assert timezone.localtime(first.received_at).date() == dt.date(2024, 2, 3)
    person = first.subjects.get()
    assert (person.kind, person.surname, person.bsn) == (SubjectKind.PERSON, "Vries", "111222333")
    assert person.birth_date == dt.date(1980, 2, 3)
    assert second.category.name == "Huiselijk geweld"
    assert second.enrichment == {"address": 1, "person": 1}
    assert result.hits == {"address": 1, "person": 1}
    # formula text stays text; MMA needs verification
    assert third.description == '=HYPERLINK("http://x";"klik")'
    assert third.channel == Channel.MMA
    assert third.verification_needed
    kinds = sorted(third.subjects.values_list("kind", flat=True))
    assert kinds == [SubjectKind.ORGANISATION, SubjectKind.VEHICLE]


def test_comma_separated_cp1252_without_bom(tmp_path: Path, maassluis: Organisation) -> None:
    path = tmp_path / "register.csv"
    text = (
        "ontvangen,categorie,omschrijving,woonplaats\r\n5-1-2024,Woonoverlast,Overlast,Maaslúis\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    assert run(path, maassluis).count == 1
    assert Signal.objects.get().city == "Maaslúis"


def test_xlsx_with_date_cells_and_formula_text(tmp_path: Path, maassluis: Organisation) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            "ontvangen",
            "categorie",
            "omschrijving",
            "achternaam",
            "voornamen",
            "geboortedatum",
            "bsn",
        ]
    )
    sheet.append(
        [
            dt.datetime(2024, 5, 6, 9, 15),
            "Woonoverlast",
            "Eerste",
            "Jansen",
            "Kees",
            dt.datetime(1990, 1, 2),
            111222333,
        ]
    )
    sheet.append([dt.date(2024, 5, 7), "woonoverlast", "Tweede", "Jansen", "K.", "2-1-1990", ""])
    sheet.append(["8-5-2024", "Woonoverlast", "x", "", "", "", ""])
    cell = sheet.cell(row=4, column=3)
    cell.value = "=1+1"
    cell.data_type = "s"  # typed as text in the sheet: it must stay text
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    result = run(path, maassluis)
    assert result.count == 3
    assert result.hits == {"person": 1}
    texts = sorted(Signal.objects.values_list("description", flat=True))
    assert "=1+1" in texts
    first = Signal.objects.get(reference="GM0556-2024-00001")
    assert first.subjects.get().bsn == "111222333"


def test_invalid_file_reports_every_problem_and_stores_nothing(
    tmp_path: Path, maassluis: Organisation
) -> None:
    header = "ontvangen;categorie;omschrijving;bsn;kleur"
    lines = [
        header,
        "1-1-2024;Woonoverlast;goed;;rood",  # row 2
        "31-02-2024;Woonoverlast;slechte datum;;",  # row 3
        "2-1-2024;Woonoverlast;goed;;",  # row 4
        "3-1-2024;Bestaat niet;onbekende categorie;;",  # row 5
        "",  # an empty row is skipped but counted
        "4-1-2024;Woonoverlast;ongeldig bsn;123456789;",  # row 7
    ]
    path = tmp_path / "fout.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(register_import.ImportRefused) as refused:
        run(path, maassluis)
    errors = {(e.row, e.column, e.value) for e in refused.value.errors}
    assert errors == {
        (1, "kleur", ""),
        (3, "ontvangen", "31-02-2024"),
        (5, "categorie", "Bestaat niet"),
        (7, "bsn", "123456789"),
    }
    assert all(e.message for e in refused.value.errors)
    assert not Signal.objects.exists()


def test_required_values_anonymous_contact_and_person_without_key(
    tmp_path: Path, maassluis: Organisation
) -> None:
    path = tmp_path / "fout.csv"
    path.write_text(
        "ontvangen;categorie;omschrijving;voornamen;melder_type;melder_naam;kanaal\n"
        ";Woonoverlast;;Jan;;Piet;\n"
        "1-1-2024;Woonoverlast;x;;inwoner;Piet;fax\n"
        "1-1-2099;Woonoverlast;x;;;;\n",
        encoding="utf-8",
    )
    with pytest.raises(register_import.ImportRefused) as refused:
        run(path, maassluis)
    places = sorted((e.row, e.column) for e in refused.value.errors)
    assert places == [
        (2, "melder_naam"),
        (2, "omschrijving"),
        (2, "ontvangen"),
        (2, "voornamen"),
        (3, "kanaal"),
        (4, "ontvangen"),
    ]


def test_missing_required_column(tmp_path: Path, maassluis: Organisation) -> None:
    path = tmp_path / "fout.csv"
    path.write_text("ontvangen;omschrijving\n1-1-2024;x\n", encoding="utf-8")
    with pytest.raises(register_import.ImportRefused) as refused:
        run(path, maassluis)
    assert [(e.row, e.column) for e in refused.value.errors] == [(1, "categorie")]


def test_dry_run_stores_nothing(tmp_path: Path, maassluis: Organisation) -> None:
    result = run(write_csv(tmp_path, VALID_ROWS), maassluis, dry_run=True)
    assert result.count == 3
    assert result.dry_run
    assert not Signal.objects.exists()


def test_refused_by_the_intake_rolls_everything_back(
    tmp_path: Path, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regie.cases import services
    from regie.core.errors import ServiceError

    real = services.receive
    calls = {"n": 0}

    def refuse_second(data: services.SignalIn, **kwargs: object) -> services.Intake:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ServiceError("geweigerd")
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "receive", refuse_second)
    with pytest.raises(register_import.ImportRefused) as refused:
        run(write_csv(tmp_path, VALID_ROWS), maassluis)
    assert [(e.row, e.message) for e in refused.value.errors] == [(3, "geweigerd")]
    assert not Signal.objects.exists()


def test_only_into_a_gemeente(tmp_path: Path) -> None:
    partner = OrganisationFactory()
    with pytest.raises(register_import.ImportRefused):
        run(write_csv(tmp_path, VALID_ROWS), partner)


def test_oversized_file_refused(
    tmp_path: Path, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_BYTES", 100)
    with pytest.raises(register_import.FileRefused):
        run(write_csv(tmp_path, VALID_ROWS), maassluis)


def test_too_many_rows_refused(
    tmp_path: Path, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_ROWS", 2)
    with pytest.raises(register_import.FileRefused):
        run(write_csv(tmp_path, VALID_ROWS), maassluis)
    assert not Signal.objects.exists()


def test_zip_bomb_refused_before_unpacking(
    tmp_path: Path, maassluis: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_UNPACKED", 5 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (6 * 1024 * 1024) + b"/>")
    path = tmp_path / "bom.xlsx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 100_000
    with pytest.raises(register_import.FileRefused):
        run(path, maassluis)


def test_packed_too_tightly_refused(tmp_path: Path, maassluis: Organisation) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (4 * 1024 * 1024) + b"/>")
    with pytest.raises(files.FileRefused):
        files.check_zip(buffer.getvalue())


def test_old_excel_and_damaged_xlsx_refused(tmp_path: Path, maassluis: Organisation) -> None:
    old = tmp_path / "oud.xls"
    old.write_bytes(files.OLE_MAGIC + b"\x00" * 100)
    damaged = tmp_path / "kapot.xlsx"
    damaged.write_bytes(files.ZIP_MAGIC + b"rubbish")
    for path in (old, damaged):
        with pytest.raises(register_import.FileRefused):
            run(path, maassluis)


def test_category_by_path_main_and_ambiguous_name(maassluis: Organisation) -> None:
    factories.category(maassluis)
    finder = values.CategoryFinder(maassluis)
    assert finder.find("Zorg & veiligheid \u203a Woonoverlast").name == "Woonoverlast"
    assert finder.find("  WOONOVERLAST ").name == "Woonoverlast"
    assert finder.find("Cyber").parent is None
    main = finder.find("Cyber")
    assert finder.find(main.pk) == main
    with pytest.raises(values.ValueProblem):
        finder.find("Cyber > Woonoverlast")


def test_received_notations() -> None:
    expected = dt.datetime(2024, 2, 3, 14, 30)
    for text in ("3-2-2024 14:30", "03-02-2024 14.30", "2024-02-03T14:30", "3 februari 2024 14:30"):
        moment = values.received_at(text)
        assert moment.replace(tzinfo=None) == expected, text
    assert values.received_at("3-2-2024").hour == 0
    for bad in ("2024", "31-02-2024", "3-2-24", "gisteren"):
        with pytest.raises(values.ValueProblem):
            values.received_at(bad)


def test_labels_and_codes_of_channel_and_reporter() -> None:
    assert values.channel("") == Channel.IMPORT
    assert values.channel("MMA") == Channel.MMA
    assert values.channel(str(Channel.MMA.label)) == Channel.MMA
    assert values.reporter_type(str(ReporterType.RESIDENT.label).upper()) == "inwoner"
    assert values.reporter_type("") == ReporterType.ANONYMOUS


def test_xlsx_formula_is_never_evaluated(tmp_path: Path, maassluis: Organisation) -> None:
    """A real formula cell is read as the value Excel stored with it (data only); a formula
    without a stored value (never calculated) is empty: never run by the import."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ontvangen", "categorie", "omschrijving"])
    sheet.append(["1-2-2024", "Woonoverlast", '=CONCATENATE("ge";"heim")'])
    path = tmp_path / "formule.xlsx"
    workbook.save(path)
    with pytest.raises(register_import.ImportRefused) as refused:
        run(path, maassluis)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "omschrijving")]
