"""What every screen's form shares: the design system's (DKFDS) classes on its widgets."""

from __future__ import annotations

from typing import Any

from django import forms


def style_fields(fields: dict[str, forms.Field]) -> None:
    """Give widgets the design system's classes."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-radio")
        elif isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-checkbox")
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
