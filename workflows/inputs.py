"""What a transition's typed input is made of: one ``forms.Form`` per transition.

Each transition declares its form beside its method (``custom={"form": ...}``). The
engine validates the caller's values with it, with the case row locked, and calls the
method with the cleaned, typed values; the screens render and validate with the same
form (web/ adds the design system's classes and the Danish amount notation), and the
API derives its input fields and their OpenAPI types from its fields.

A form checks what can be checked without the case (shape, type, required); what
needs the case (an amount against the grant, a date against today) stays in the
method, in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from cases import limits, upload_quota
from cases.formatting import AmountError, to_amount
from cases.parsing import validate_date_window
from cases.uploads import ALLOWED_TYPES, check_upload

ISO_DATE = ["%Y-%m-%d"]


class TransitionInput(forms.Form):
    """The base of every transition's input form. ``flow``: the flow it is validated for."""

    def __init__(self, *args: Any, flow: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flow = flow
        if flow is not None:
            self.for_case(flow.case)

    def for_case(self, application: Any) -> None:
        """Narrow what the fields offer to what this case has (its round's criteria, say);
        the engine calls it with the flow's case, a screen with the case it shows."""

    def transition_data(self) -> dict[str, Any]:
        """The cleaned values a caller passes on to ``engine.perform`` (empty ones left out)."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def drop(self, *names: str) -> None:
        """Forget fields the chosen outcome does not use: their errors and their values."""
        for name in names:
            self.errors.pop(name, None)
            self.cleaned_data[name] = None


class Amount(forms.DecimalField):
    """An amount in kroner, as the API and the flow read it: "12500" or "12500.50".

    Strict on purpose (``cases.formatting.to_amount``, its words): the screens swap in
    web's ``AmountField``, which also reads the Danish "12.500,50".
    """

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            return to_amount(value)
        except AmountError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)

    def run_validators(self, value: Any) -> None:
        # to_amount has said all there is to say, in its own words.
        return None


class Text(forms.CharField):
    """Free text; anything but a string counts as nothing written (the API refuses it earlier)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value if isinstance(value, str) else None))


def text(
    label: Any, *, required_message: Any = None, rows: int = 4, max_length: int = limits.TEXT
) -> forms.CharField:
    """A free text; ``required_message`` makes it required and words the refusal."""
    return Text(
        label=label,
        required=required_message is not None,
        max_length=max_length,
        error_messages={"required": required_message} if required_message else None,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def iso_date(label: Any, *, invalid_message: Any, help_text: Any = "") -> forms.DateField:
    """A date as YYYY-MM-DD (a date object passes as it is), within the input window; optional."""
    return forms.DateField(
        label=label,
        required=False,
        validators=[validate_date_window],
        help_text=help_text,
        input_formats=ISO_DATE,
        error_messages={"invalid": invalid_message},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def outcome(choices: list[tuple[str, Any]], message: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=choices,
        error_messages={"required": message, "invalid_choice": message},
        widget=forms.RadioSelect,
    )


class ModelIds(forms.ModelMultipleChoiceField):
    """Rows chosen by their ids (the API sends a list of integers); a caller holding the rows
    (a screen passing its cleaned values on) passes them as they are. The form narrows the
    queryset to what the case offers, so an id from elsewhere is an invalid choice."""

    def clean(self, value: Any) -> Any:
        if value is not None and not isinstance(value, str | list | tuple):
            value = list(value)  # a queryset, or any other iterable of rows or ids
        if isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        return super().clean(value)


class ReportLines(forms.Field):
    """The usage report's lines: [{"budget_line": id or None, "description": …, "spent": …}].

    Checked as a whole, with the case, by ``cases.services.grants.parse_report``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)


class ReportFiles(forms.Field):
    """The usage report's attachments: [(kind, uploaded file)], checked by ``parse_report``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)


# --- documents sent with an answer (issue 16: notes) ----------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that ``check_upload`` has accepted, with the content type it found."""

    upload: Any
    content_type: str


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if files and hasattr(files, "getlist") and files.getlist(name):
            return files.getlist(name)
        # The engine and the API hand the files over as values: a list.
        value = data.get(name) if hasattr(data, "get") else None
        return value if isinstance(value, list | tuple) else []


class DocumentFiles(forms.Field):
    """Documents sent with an answer (a question, a hearing): zero or more files, each
    checked as every upload is (``cases.uploads.check_upload``), in the person's words.
    Cleans to a list of ``CheckedUpload``; one already checked passes as it is. The room
    left on the case (``cases.upload_quota``) needs the case: the form's ``clean`` asks."""

    widget = MultipleFiles
    MAX_FILES = 10

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Documents"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Optional. PDF, Word, Excel, OpenDocument, JPEG or PNG; several at once."),
        )
        super().__init__(**kwargs)
        # What the page checks before it sends (static/js/app.js), so that a refusal the
        # browser can see keeps the files chosen; the server checks all of it again.
        # The messages are the server's own (cases/uploads.py), filled in by the script.
        self.widget.attrs.update(
            {
                "accept": ",".join(sorted(ALLOWED_TYPES)),
                "data-max-files": str(self.MAX_FILES),
                "data-max-bytes": str(settings.PULJEFLOW_MAX_UPLOAD_BYTES),
                "data-too-many": gettext_lazy("Send at most %(most)s documents at a time."),
                "data-too-big": gettext_lazy("The file is %(size)s MB; the limit is %(limit)s MB."),
                "data-wrong-type": gettext_lazy(
                    "Files of type “%(ext)s” are not accepted. Use PDF, Word, Excel, "
                    "OpenDocument, JPEG or PNG."
                ),
            }
        )

    def clean(self, value: Any) -> list[CheckedUpload]:
        files = [f for f in (value or []) if f not in (None, "")]
        if len(files) > self.MAX_FILES:
            raise forms.ValidationError(
                gettext_lazy("Send at most %(most)s documents at a time.")
                % {"most": self.MAX_FILES}
            )
        checked: list[CheckedUpload] = []
        messages: list[str] = []
        for upload in files:
            if isinstance(upload, CheckedUpload):
                checked.append(upload)
                continue
            if not hasattr(upload, "size") or not hasattr(upload, "read"):
                messages.append(str(gettext_lazy("Send the documents as files.")))
                continue
            original = upload.name
            try:
                checked.append(CheckedUpload(upload, check_upload(upload)))
            except forms.ValidationError as error:
                messages += [f"{original}: {message}" for message in error.messages]
        if messages:
            raise forms.ValidationError(messages)
        return checked


def check_room_for(form: forms.Form, field: str, application: Any) -> None:
    """Add the case's quota refusal (``cases.upload_quota``) to ``field``'s errors."""
    files = form.cleaned_data.get(field) or []
    if application is None or not files:
        return
    try:
        upload_quota.check_room(application, [item.upload.size or 0 for item in files])
    except ValidationError as error:
        form.add_error(field, error.messages)
