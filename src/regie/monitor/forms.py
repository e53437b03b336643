"""Forms of the monitor's Bronnen section."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

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


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()]


class WaterbedForm(forms.Form):
    """Measure, areas in their roles, and the windows before and after (``2023M07:2024M06``)."""

    measure = forms.ChoiceField(label=gettext_lazy("Measure"))
    target = forms.CharField(
        label=gettext_lazy("Target area"),
        max_length=200,
        help_text=gettext_lazy("CBS code(s), e.g. GM0556."),
    )
    displacement = forms.CharField(
        label=gettext_lazy("Displacement areas (neighbours)"),
        max_length=400,
        help_text=gettext_lazy("CBS codes separated by commas."),
    )
    control = forms.CharField(
        label=gettext_lazy("Control areas"),
        max_length=400,
        help_text=gettext_lazy("CBS codes separated by commas."),
    )
    control_displacement = forms.CharField(
        label=gettext_lazy("Separate control for the displacement areas"),
        max_length=400,
        required=False,
        help_text=gettext_lazy("Optional; by default the same control areas."),
    )
    before = forms.CharField(
        label=gettext_lazy("Window before"),
        max_length=20,
        help_text=gettext_lazy("First and last month: 2023M07:2024M06"),
    )
    after = forms.CharField(
        label=gettext_lazy("Window after"),
        max_length=20,
        help_text=gettext_lazy("First and last month: 2024M07:2025M06"),
    )

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measures  # type: ignore[attr-defined]

    def clean_target(self) -> list[str]:
        return _codes(self.cleaned_data["target"])

    def clean_displacement(self) -> list[str]:
        return _codes(self.cleaned_data["displacement"])

    def clean_control(self) -> list[str]:
        return _codes(self.cleaned_data["control"])

    def clean_control_displacement(self) -> list[str]:
        return _codes(self.cleaned_data.get("control_displacement") or "")
