"""What every screen's form shares: the design system's (DKFDS) classes on its widgets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from cases.parsing import parse_int

#: A hidden field that does not hold what the page wrote into it.
DAMAGED_PAGE = gettext_lazy("The page was damaged on the way. Reload it and try again.")


def seen_state(data: Any, status: str) -> dict[str, Any] | None:
    """The status and version the user saw when the page was drawn (its hidden fields), so
    the transition notices a parallel change; None when the version is not a number."""
    raw = data.get("seen_version", "")
    version = parse_int(raw)
    if raw and version is None:
        return None
    return {"seen_status": data.get("seen_status", status), "seen_version": version}


def style_fields(fields: dict[str, forms.Field]) -> None:
    """Give widgets the design system's classes."""
    for field in fields.values():
        widget = field.widget
        # Checkboxes first: Django's CheckboxSelectMultiple is a RadioSelect subclass.
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-checkbox")
        elif isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-radio")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
            widget.attrs.setdefault("class", "form-file-input")
        else:
            widget.attrs.setdefault("class", "form-input")


class DkfdsMixin:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self.fields)
