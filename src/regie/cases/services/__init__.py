"""The Meldpunt's use cases: the public facade other apps and the views call."""

from regie.cases.attachments import AttachmentRefused, CleanFile, clean_upload, clean_uploads
from regie.cases.services.categories import (
    change_category,
    create_category,
    create_team,
    delete_category,
    save_grants,
    set_grants,
)
from regie.cases.services.handling import (
    anonymise_reporter,
    change_status,
    correct_subject,
    revoke_share,
    set_legal_hold,
    share,
)
from regie.cases.services.intake import (
    AddressIn,
    Intake,
    SignalIn,
    SubjectIn,
    count_earlier,
    receipt_digest,
    receive,
)
from regie.cases.services.setup import ensure_categories

__all__ = [
    "AddressIn",
    "AttachmentRefused",
    "CleanFile",
    "Intake",
    "SignalIn",
    "SubjectIn",
    "anonymise_reporter",
    "change_category",
    "change_status",
    "clean_upload",
    "clean_uploads",
    "correct_subject",
    "count_earlier",
    "create_category",
    "create_team",
    "delete_category",
    "ensure_categories",
    "receipt_digest",
    "receive",
    "revoke_share",
    "save_grants",
    "set_grants",
    "set_legal_hold",
    "share",
]
