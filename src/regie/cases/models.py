"""The Meldpunt Veiligheid: categories, signals (meldingen) with their subjects, attachments,
history, sharing and blind-index keys; access grants per category family; saved filters and
retention rules.

Every personal field and free text is encrypted (:mod:`regie.privacy.fields`); matching goes
through :class:`SubjectKey` (blind indexes). Status, outcome and sharing are separate
dimensions, each with its own append-only history (:class:`SignalEvent`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regie.areas.models import Area
from regie.core.concurrency import Versioned
from regie.core.models import AppendOnlyError, Organisation
from regie.privacy.fields import EncryptedBytesField, EncryptedDateField, EncryptedTextField


class Family(models.TextChoices):
    """The category families; a gemeente employee sees a family only with its grant."""

    ZORG = "zorg_veiligheid", _("Zorg & veiligheid")
    ONDERMIJNING = "ondermijning", _("Ondermijning")
    CYBER = "cyber", _("Cyber")
    ONRUST = "maatschappelijke_onrust", _("Maatschappelijke onrust")
    OVERIG = "overig", pgettext_lazy("category family", "Other")


class Grant(models.TextChoices):
    """What an access grant opens: a family, or the reporters' contact data."""

    ZORG = Family.ZORG.value, Family.ZORG.label
    ONDERMIJNING = Family.ONDERMIJNING.value, Family.ONDERMIJNING.label
    CYBER = Family.CYBER.value, Family.CYBER.label
    ONRUST = Family.ONRUST.value, Family.ONRUST.label
    OVERIG = Family.OVERIG.value, Family.OVERIG.label
    REPORTER_CONTACT = "melder_contact", _("Contact details of reporters")


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name")]

    def __str__(self) -> str:
        return self.name


class Category(Versioned):
    """A two-level tree per gemeente: a main category carries the family, its subcategories
    inherit it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("main category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(_("family"), max_length=30, choices=Family.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["organisation", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="category_name_per_parent"
            )
        ]

    def __str__(self) -> str:
        if self.parent_id and self.parent:
            return f"{self.parent.name} › {self.name}"  # noqa: RUF001 - the breadcrumb sign
        return self.name


class AccessGrant(models.Model):
    """A user's grant in a gemeente: a category family, or the reporters' contact data."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    grant = models.CharField(_("access to"), max_length=30, choices=Grant.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["organisation", "user", "grant"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "grant"], name="one_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_grant_display()}"


class Channel(models.TextChoices):
    PROFESSIONAL = "professioneel", _("Professional form")
    PUBLIC = "publiek", _("Public form")
    MMA = "mma", _("Meld Misdaad Anoniem")
    API = "api", _("Partner system (API)")
    IMPORT = "import", _("Import of a register")


class ReporterType(models.TextChoices):
    ANONYMOUS = "anoniem", _("Anonymous")
    RESIDENT = "inwoner", _("Resident")
    ENTREPRENEUR = "ondernemer", _("Entrepreneur")
    STAFF = "medewerker", _("Employee of the gemeente")
    ENFORCER = "handhaver", _("Handhaver")
    PARTNER = "ketenpartner", _("Ketenpartner")
    MMA = "mma", _("Meld Misdaad Anoniem")


class Status(models.TextChoices):
    RECEIVED = "ontvangen", _("Received")
    IN_PROGRESS = "in_behandeling", _("In progress")
    CLOSED = "afgehandeld", pgettext_lazy("signal status", "Closed")


class Outcome(models.TextChoices):
    NOT_TAKEN_UP = "niet_opgepakt", _("Not taken up")
    INFORMATION = "informatiepositie", _("Kept for the information position")
    HANDLED = "afgehandeld_gemeente", _("Handled by the gemeente")
    REFERRED = "doorgezet", _("Referred to a partner")
    CASE = "casus", _("Taken up as a case")


class Signal(Versioned):
    """A signal (melding) to a gemeente's Meldpunt Veiligheid."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    family = models.CharField(_("family"), max_length=30, choices=Family.choices, db_index=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = EncryptedTextField(_("description"))
    street = EncryptedTextField(_("street"))
    house_number = EncryptedTextField(_("house number"))
    addition = EncryptedTextField(_("addition"))
    postcode = EncryptedTextField(_("postcode"))
    city = EncryptedTextField(_("place"))
    bag_id = EncryptedTextField(_("BAG id"))
    wijk = models.ForeignKey(
        Area,
        verbose_name=_("wijk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    buurt = models.ForeignKey(
        Area,
        verbose_name=_("buurt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_type = models.CharField(_("reporter"), max_length=20, choices=ReporterType.choices)
    reporter_name = EncryptedTextField(_("name of the reporter"))
    reporter_phone = EncryptedTextField(_("telephone of the reporter"))
    reporter_email = EncryptedTextField(_("e-mail of the reporter"))
    reporter_anonymised_at = models.DateTimeField(
        _("reporter's details removed at"), null=True, blank=True
    )
    reporting_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("reported by organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verification_needed = models.BooleanField(_("verification needed"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = EncryptedTextField(_("reason"))
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = EncryptedTextField(_("reason for the legal hold"))
    receipt_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    enrichment = models.JSONField(_("earlier signals at intake"), default=dict, blank=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "deadline"], name="signal_queue"),
            models.Index(fields=["organisation", "-received_at"], name="signal_recent"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferenceCounter(models.Model):
    """The last number given to a signal of a gemeente in a year (references are numbered
    without gaps and without reading the signals: one row locked per intake)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class SubjectKind(models.TextChoices):
    PERSON = "persoon", _("Person")
    ADDRESS = "adres", _("Address")
    ORGANISATION = "organisatie", pgettext_lazy("subject", "Organisation")
    VEHICLE = "voertuig", _("Vehicle")


class SubjectRole(models.TextChoices):
    CONCERNED = "betrokkene", _("Person concerned")
    RESIDENT = "bewoner", _("Resident")
    OWNER = "eigenaar", _("Owner")
    OPERATOR = "exploitant", _("Operator")
    VICTIM = "slachtoffer", _("Victim")
    WITNESS = "getuige", _("Witness")
    LOCATION = "locatie", _("Location")
    OTHER = "overig", pgettext_lazy("subject role", "Other")


class Subject(models.Model):
    """A person, address, organisation or vehicle a signal is about, with its role."""

    signal = models.ForeignKey(
        Signal, verbose_name=_("signal"), on_delete=models.CASCADE, related_name="subjects"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SubjectKind.choices)
    role = models.CharField(_("role"), max_length=20, choices=SubjectRole.choices)
    surname = EncryptedTextField(_("surname"))
    tussenvoegsel = EncryptedTextField(_("tussenvoegsel"))
    first_names = EncryptedTextField(_("first names"))
    birth_date = EncryptedDateField(_("date of birth"))
    bsn = EncryptedTextField(_("BSN"))
    street = EncryptedTextField(_("street"))
    house_number = EncryptedTextField(_("house number"))
    addition = EncryptedTextField(_("addition"))
    postcode = EncryptedTextField(_("postcode"))
    city = EncryptedTextField(_("place"))
    bag_id = EncryptedTextField(_("BAG id"))
    organisation_name = EncryptedTextField(_("name of the organisation"))
    kvk = EncryptedTextField(_("KvK number"))
    kenteken = EncryptedTextField(_("licence plate"))
    phone = EncryptedTextField(_("telephone"))
    email = EncryptedTextField(_("e-mail"))
    person_pseudonym = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["signal", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_role_display()})"


class SubjectKey(models.Model):
    """A blind index of one identifier of a subject (or the signal's location)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="keys")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.CASCADE, related_name="keys"
    )
    kind = models.CharField(max_length=10)
    digest = models.CharField(max_length=32)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("blind index")
        verbose_name_plural = _("blind indexes")
        indexes = [
            models.Index(fields=["organisation", "digest", "received_at"], name="subjectkey_match")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:8]}…"


class Attachment(models.Model):
    """A photo or PDF with a signal; content encrypted, photos without EXIF."""

    signal = models.ForeignKey(
        Signal, verbose_name=_("signal"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    content = EncryptedBytesField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["signal", "pk"]

    def __str__(self) -> str:
        return f"{self.signal} #{self.pk}"


class Dimension(models.TextChoices):
    STATUS = "status", _("Status")
    OUTCOME = "uitkomst", _("Outcome")
    SHARING = "delen", _("Sharing")
    LEGAL_HOLD = "bewaarplicht", _("Legal hold")
    CATEGORY = "categorie", _("Category")
    CORRECTION = "correctie", _("Correction")
    REPORTER = "melder", _("Reporter's details")


class SignalEvent(models.Model):
    """One change of one dimension of a signal (append-only; deleted only with the signal)."""

    signal = models.ForeignKey(
        Signal, verbose_name=_("signal"), on_delete=models.CASCADE, related_name="events"
    )
    dimension = models.CharField(_("what"), max_length=20, choices=Dimension.choices)
    old = models.CharField(_("from"), max_length=200, blank=True)
    new = models.CharField(_("to"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = EncryptedTextField(_("old value"))
    new_value = EncryptedTextField(_("new value"))
    reason = EncryptedTextField(_("reason"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_label = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("history of a signal")
        verbose_name_plural = _("history of signals")
        ordering = ["signal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.signal}: {self.dimension}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the history of a signal is kept as written")
        super().save(*args, **kwargs)


class SignalShare(models.Model):
    """A signal shared with a partner organisation or one user; revoking keeps the row."""

    signal = models.ForeignKey(
        Signal, verbose_name=_("signal"), on_delete=models.CASCADE, related_name="shares"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sharing")
        verbose_name_plural = _("sharing")
        ordering = ["signal", "shared_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(user__isnull=False),
                name="share_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.signal} → {self.organisation or self.user}"


class SavedFilter(models.Model):
    """A named filter of the werkvoorraad, for one user in one gemeente."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=500)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "name"], name="filter_name")
        ]

    def __str__(self) -> str:
        return self.name


class RetentionAction(models.TextChoices):
    DESTROY = "vernietigen", _("Destroy")
    ANONYMISE_REPORTER = "melder_anonimiseren", _("Remove the reporter's details")


class RetentionStart(models.TextChoices):
    RECEIVED = "ontvangen", _("after receipt")
    CLOSED = "afgehandeld", _("after closure")


class RetentionRule(models.Model):
    """A gemeente's own retention term for a category (or all) and an outcome (or any),
    replacing the default of :mod:`regie.cases.retention`."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=RetentionAction.choices)
    months = models.PositiveIntegerField(_("term in months"))
    starts = models.CharField(_("from"), max_length=20, choices=RetentionStart.choices)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["organisation", "action", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.months}"
