"""Forms of the monitor's Bronnen section."""

from __future__ import annotations

import re
from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.uploads import validate_upload_size

#: Largest upload accepted (the template of a gemeente is a few hundred rows); the upload view
#: stops a larger file while it arrives.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = (".csv", ".xlsx")
ZIP_MAGIC = b"PK\x03\x04"
#: The random name of an uploaded file under ``VAR_DIR/uploads`` (secrets.token_urlsafe(24)).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class LocalFiguresUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File with local figures"),
        help_text=gettext_lazy(
            "A CSV or Excel (.xlsx) file in the template, at most 10 MB. The file is checked "
            "first; nothing is stored until you confirm."
        ),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
            "invalid": gettext_lazy("No file was received; choose the file again."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = PurePath(upload.name or "").name
        if not name.lower().endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(
                _("%(name)s is not a CSV or Excel (.xlsx) file.") % {"name": name},
                code="extension",
            )
        # The upload view stops a larger file while it arrives (core.uploads.upload_limit); it
        # reaches the form as a RefusedUpload, never stored.
        validate_upload_size(upload, MAX_UPLOAD_BYTES)
        head = upload.read(4)
        upload.seek(0)
        if name.lower().endswith(".xlsx") and head != ZIP_MAGIC:
            raise forms.ValidationError(
                _("%(name)s is not an Excel workbook (.xlsx); save it again as .xlsx or CSV.")
                % {"name": name},
                code="not_xlsx",
            )
        return upload


class TokenForm(forms.Form):
    """The confirm and cancel buttons of the preview post the upload's token."""

    token = forms.RegexField(regex=TOKEN_PATTERN, widget=forms.HiddenInput)
