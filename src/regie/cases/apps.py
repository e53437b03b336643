from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "regie.cases"
    label = "cases"
    verbose_name = _("Meldpunt Veiligheid")

    def ready(self) -> None:
        from regie.cases import models
        from regie.core import audit
        from regie.privacy.fields import encrypted_field_names

        def org(obj: object) -> object:
            return obj.organisation  # type: ignore[attr-defined]

        def of_signal(obj: object) -> object:
            return obj.signal.organisation  # type: ignore[attr-defined]

        for model, organisation in (
            (models.Team, org),
            (models.Category, org),
            (models.AccessGrant, org),
            (models.Signal, org),
            (models.Subject, of_signal),
            (models.Attachment, of_signal),
            (models.SignalShare, of_signal),
            (models.SavedFilter, org),
            (models.RetentionRule, org),
        ):
            audit.register(
                model,
                organisation=organisation,  # type: ignore[arg-type]
                redact=encrypted_field_names(model),
                exclude=("enrichment", "receipt_digest", "person_pseudonym"),
            )
        audit.exempt(models.SubjectKey, reason="blind indexes follow their subject")
        audit.exempt(models.ReferenceCounter, reason="a counter of references, no domain data")
        audit.exempt(models.SignalEvent, reason="is itself the signal's append-only history")
        from regie.cases import inzage, reads, retention  # noqa: F401 - register with privacy
