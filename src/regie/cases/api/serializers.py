"""Serializers of the signals API; they also document the JSON in ``docs/api/openapi.yaml``.

Field names are Dutch, as the columns of the register import (``regie signals import``):
``ontvangen``, ``categorie``, ``omschrijving``, ``locatie``, ``melder``, ``betrokkenen``.
A list never carries personal data; the detail does (after a purpose, logged).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from regie.cases.models import (
    Category,
    Channel,
    Family,
    Outcome,
    ReporterType,
    Signal,
    Status,
    Subject,
    SubjectKind,
    SubjectRole,
)
from regie.cases.register_import import values
from regie.cases.services import AddressIn, SubjectIn
from regie.cases.services.intake import MAX_DESCRIPTION, MAX_FIELD, MAX_SUBJECTS
from regie.privacy import normalise


def _text(help_text: Any = "", *, max_length: int = MAX_FIELD) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=max_length, default="", help_text=help_text
    )


def _valid(value: str, check: Any, message: str) -> str:
    if value and check(value) is None:
        raise serializers.ValidationError(message)
    return value


# --- Intake (POST) ---------------------------------------------------------------------------


class AddressInSerializer(serializers.Serializer[Any]):
    straat = _text()
    huisnummer = _text(gettext_lazy("With or without its addition: 12, 12a, 12-a."))
    toevoeging = _text()
    postcode = _text(gettext_lazy("3141 AB or 3141AB."))
    woonplaats = _text()

    def validate_postcode(self, value: str) -> str:
        return _valid(value, normalise.postcode, _("A postcode is written as 3141 AB."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        number = attrs.get("huisnummer", "")
        if number and normalise.house_number(number, attrs.get("toevoeging", "")) is None:
            raise serializers.ValidationError(
                {"huisnummer": _("This is not a house number (with its addition).")}
            )
        return attrs

    @staticmethod
    def address(attrs: dict[str, Any] | None) -> AddressIn:
        attrs = attrs or {}
        return AddressIn(
            street=attrs.get("straat", ""),
            house_number=attrs.get("huisnummer", ""),
            addition=attrs.get("toevoeging", ""),
            postcode=attrs.get("postcode", ""),
            city=attrs.get("woonplaats", ""),
        )


class ReporterInSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "Kind of reporter: anoniem, inwoner, ondernemer, medewerker, handhaver, "
            "ketenpartner (or its label). Default: ketenpartner for a partner organisation, "
            "medewerker for the gemeente itself."
        ),
    )
    naam = _text()
    telefoon = _text()
    email = _text()

    def validate_type(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return values.reporter_type(value)
        except values.ValueProblem as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate_telefoon(self, value: str) -> str:
        return _valid(value, normalise.phone, _("This is not a telephone number."))

    def validate_email(self, value: str) -> str:
        return _valid(value, normalise.email, _("This is not an e-mail address."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        anonymous = attrs.get("type") in (ReporterType.ANONYMOUS, ReporterType.MMA)
        if anonymous and any(attrs.get(k) for k in ("naam", "telefoon", "email")):
            raise serializers.ValidationError(
                _("An anonymous signal has no contact details of the reporter.")
            )
        return attrs


class SubjectInSerializer(serializers.Serializer[Any]):
    soort = serializers.ChoiceField(choices=SubjectKind.choices)
    rol = serializers.ChoiceField(choices=SubjectRole.choices, default=SubjectRole.CONCERNED)
    achternaam = _text()
    tussenvoegsel = _text()
    voornamen = _text()
    geboortedatum = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("1980-02-03 or 3-2-1980."),
    )
    bsn = _text()
    adres = AddressInSerializer(required=False)
    organisatienaam = _text()
    kvk = _text()
    kenteken = _text()
    telefoon = _text()
    email = _text()

    def validate_geboortedatum(self, value: str) -> dt.date | None:
        if not value.strip():
            return None
        try:
            return values.birth_date(value)
        except values.ValueProblem as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate_bsn(self, value: str) -> str:
        return _valid(value, normalise.bsn, _("This is not a valid BSN (eleven test)."))

    def validate_kvk(self, value: str) -> str:
        return _valid(value, normalise.kvk, _("A KvK number has eight digits."))

    def validate_kenteken(self, value: str) -> str:
        return _valid(value, normalise.kenteken, _("A licence plate has six letters and digits."))

    def validate_telefoon(self, value: str) -> str:
        return _valid(value, normalise.phone, _("This is not a telephone number."))

    def validate_email(self, value: str) -> str:
        return _valid(value, normalise.email, _("This is not an e-mail address."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needs = {
            SubjectKind.PERSON: ("achternaam", "bsn", "geboortedatum"),
            SubjectKind.ADDRESS: ("adres",),
            SubjectKind.ORGANISATION: ("kvk", "organisatienaam"),
            SubjectKind.VEHICLE: ("kenteken",),
        }[attrs["soort"]]
        if not any(attrs.get(name) for name in needs):
            raise serializers.ValidationError(
                _("Give at least one of: %(fields)s.") % {"fields": ", ".join(needs)}
            )
        return attrs

    @staticmethod
    def subject(attrs: dict[str, Any]) -> SubjectIn:
        return SubjectIn(
            kind=attrs["soort"],
            role=attrs["rol"],
            surname=attrs["achternaam"],
            tussenvoegsel=attrs["tussenvoegsel"],
            first_names=attrs["voornamen"],
            birth_date=attrs["geboortedatum"],
            bsn=attrs["bsn"],
            address=AddressInSerializer.address(attrs.get("adres")),
            organisation_name=attrs["organisatienaam"],
            kvk=attrs["kvk"],
            kenteken=attrs["kenteken"],
            phone=attrs["telefoon"],
            email=attrs["email"],
        )


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "The id of a category of the gemeente, or its name: a subcategory or "
        "main category (case-insensitive), or 'Hoofd > Sub'.",
    }
)
class CategoryField(serializers.Field[Category, Any, Any, Any]):
    """A category of the gemeente by id or name (the finder is in the context)."""

    def to_internal_value(self, data: Any) -> Category:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            raise serializers.ValidationError(_("Give the id or the name of a category."))
        key: int | str = int(data) if isinstance(data, str) and data.isdigit() else data
        try:
            found: Category = self.context["categories"].find(key)
        except values.ValueProblem as exc:
            raise serializers.ValidationError(exc.message) from None
        return found

    def to_representation(self, value: Category) -> str:
        return str(value)


class SignalInSerializer(serializers.Serializer[Any]):
    """A signal from a partner system."""

    gemeente = serializers.CharField(
        help_text=gettext_lazy("CBS code (GM0556) or short name of the gemeente.")
    )
    ontvangen = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "When the signal was received (ISO 8601 or 3-2-2024 14:30, Dutch time); default: now."
        ),
    )
    categorie = CategoryField()
    omschrijving = serializers.CharField(max_length=MAX_DESCRIPTION)
    locatie = AddressInSerializer(required=False)
    melder = ReporterInSerializer(required=False)
    betrokkenen = SubjectInSerializer(many=True, required=False)

    def validate_betrokkenen(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > MAX_SUBJECTS:
            raise serializers.ValidationError(
                _("A signal has at most %(max)s subjects.") % {"max": MAX_SUBJECTS}
            )
        return value

    def validate_ontvangen(self, value: str) -> dt.datetime | None:
        if not value.strip():
            return None
        try:
            return values.received_at(value)
        except values.ValueProblem as exc:
            raise serializers.ValidationError(exc.message) from None


class ReceivedSerializer(serializers.Serializer[Any]):
    """The answer to an intake: only the reference, when it was received and its status."""

    referentie = serializers.CharField(source="reference")
    ontvangen = serializers.DateTimeField(source="received_at")
    status = serializers.ChoiceField(choices=Status.choices)


# --- Reading (GET) ---------------------------------------------------------------------------


class SignalSerializer(serializers.Serializer[Signal]):
    """A signal in a list: no personal data."""

    referentie = serializers.CharField(source="reference")
    gemeente = serializers.CharField(source="organisation.cbs_code")
    ontvangen = serializers.DateTimeField(source="received_at")
    categorie = serializers.CharField(source="category.__str__")
    familie = serializers.ChoiceField(source="family", choices=Family.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    uitkomst = serializers.ChoiceField(
        source="outcome", choices=[*Outcome.choices, ("", "")], allow_blank=True
    )
    deadline = serializers.DateField(allow_null=True)
    kanaal = serializers.ChoiceField(source="channel", choices=Channel.choices)


class AddressSerializer(serializers.Serializer[Any]):
    straat = serializers.CharField(source="street")
    huisnummer = serializers.CharField(source="house_number")
    toevoeging = serializers.CharField(source="addition")
    postcode = serializers.CharField()
    woonplaats = serializers.CharField(source="city")


class SubjectSerializer(serializers.Serializer[Subject]):
    soort = serializers.CharField(source="kind")
    rol = serializers.CharField(source="role")
    achternaam = serializers.CharField(source="surname")
    tussenvoegsel = serializers.CharField()
    voornamen = serializers.CharField(source="first_names")
    geboortedatum = serializers.DateField(source="birth_date", allow_null=True)
    bsn = serializers.CharField()
    adres = AddressSerializer(source="*")
    organisatienaam = serializers.CharField(source="organisation_name")
    kvk = serializers.CharField()
    kenteken = serializers.CharField()
    telefoon = serializers.CharField(source="phone")
    email = serializers.CharField()


class ReporterSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    afgeschermd = serializers.BooleanField(
        help_text=gettext_lazy("True when the contact details are hidden (no grant for them).")
    )
    naam = serializers.CharField(allow_null=True)
    telefoon = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)


class SignalDetailSerializer(SignalSerializer):
    """A signal with its personal data (after a purpose; the read is logged)."""

    omschrijving = serializers.CharField(source="description")
    locatie = AddressSerializer(source="*")
    verificatie_nodig = serializers.BooleanField(source="verification_needed")
    betrokkenen = SubjectSerializer(source="subjects.all", many=True)
    melder = serializers.SerializerMethodField()
    hermeldingen = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Per identifier kind, how many other signals of the gemeente share it (counts "
            "only; gemeente staff only, else null)."
        )
    )

    @extend_schema_field(ReporterSerializer)
    def get_melder(self, signal: Signal) -> dict[str, Any]:
        shown = bool(self.context.get("contact"))
        return {
            "type": signal.reporter_type,
            "afgeschermd": not shown,
            "naam": signal.reporter_name if shown else None,
            "telefoon": signal.reporter_phone if shown else None,
            "email": signal.reporter_email if shown else None,
        }

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "integer"}, "nullable": True}
    )
    def get_hermeldingen(self, signal: Signal) -> dict[str, int] | None:
        hits = self.context.get("hits")
        return None if hits is None else dict(hits)


class PurposeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    naam = serializers.CharField()


class PurposeRequiredSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    doelen = PurposeSerializer(many=True)
