"""The staff's forms for a file note and for a document received by post or e-mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases import limits, upload_quota
from cases.models import FileNote, NoteConcerns
from cases.parsing import validate_date_window
from cases.services.case_documents import REGISTERED_VIA
from cases.uploads import check_upload
from web.forms import DkfdsMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FileNoteForm(DkfdsMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "What was said, or what you learnt, and from whom. A note cannot be changed "
            "afterwards, only corrected by a new note."
        ),
        error_messages={
            "required": gettext_lazy("Write the note: what was said, or what you learnt.")
        },
    )
    concerns = forms.ChoiceField(
        label=gettext_lazy("What it concerns"),
        choices=[("", gettext_lazy("– choose –")), *NoteConcerns.choices],
        required=False,
    )
    occurred_on = forms.DateField(
        label=gettext_lazy("Date"),
        help_text=gettext_lazy("When the call, meeting or e-mail took place. Today if left empty."),
        required=False,
        widget=DATE_INPUT,
        validators=[validate_date_window],
        error_messages={"invalid": gettext_lazy("Enter the date as YYYY-MM-DD.")},
    )
    visible_to_applicant = forms.BooleanField(
        label=gettext_lazy("The association may see this note"), required=False
    )
    corrects = forms.TypedChoiceField(
        label=gettext_lazy("Corrects note"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("Only if this note corrects an earlier one."),
    )

    def __init__(self, *args: Any, notes: list[FileNote], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes = {note.pk: note for note in notes}
        choices: list[tuple[Any, Any]] = [("", gettext_lazy("– none –"))]
        for note in notes:
            when = timezone.localtime(note.created_at).strftime("%d.%m.%Y %H:%M")
            choices.append((note.pk, f"{when} · {note.author_name}: {note.text[:60]}"))
        self.fields["corrects"].choices = choices  # type: ignore[attr-defined]
        self.fields["corrects"].error_messages["invalid_choice"] = gettext_lazy(
            "Choose a note on this case."
        )

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data.get("occurred_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The date cannot be in the future."))
        return value

    def corrected_note(self) -> FileNote | None:
        pk = self.cleaned_data.get("corrects")
        return self.notes.get(pk) if pk is not None else None


class ReceivedDocumentForm(DkfdsMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, Word, Excel, OpenDocument, JPEG or PNG. Scan a paper letter."),
        error_messages={"required": gettext_lazy("Choose the file to register.")},
    )
    received_via = forms.ChoiceField(
        label=gettext_lazy("How it was received"),
        choices=REGISTERED_VIA,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose how the document was received."),
            "invalid_choice": gettext_lazy("Choose how the document was received."),
        },
    )
    received_on = forms.DateField(
        label=gettext_lazy("Date received"),
        widget=DATE_INPUT,
        validators=[validate_date_window],
        error_messages={
            "required": gettext_lazy("Enter the date the document was received."),
            "invalid": gettext_lazy("Enter the date as YYYY-MM-DD."),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the document is and who sent it."),
        error_messages={
            "required": gettext_lazy("Describe the document: what it is and who sent it.")
        },
    )

    def __init__(self, *args: Any, application: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        self.content_type = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        if self.application is not None:
            upload_quota.check_room(self.application, [upload.size])
        return upload

    def clean_received_on(self) -> Any:
        value = self.cleaned_data.get("received_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The date cannot be in the future."))
        return value
