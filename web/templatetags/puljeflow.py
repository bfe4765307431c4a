from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cases.formatting import money

register = template.Library()


@register.filter
def dkk(value: Any) -> str:
    return money(value)


@register.simple_tag
def money_pattern() -> str:
    """money()'s order for a script ("%(amount)s kr." in Danish): static/js/bulk.js. A
    {% translate %} cannot give it: the tag doubles the msgid's per cent signs."""
    return _("DKK %(amount)s")


@register.filter
def full_stop(text: Any) -> str:
    """End a sentence with one full stop: "25.000,00 kr." already has its own."""
    text = str(text)
    return text if text.endswith(".") else f"{text}."


@register.simple_tag
def widget(field: BoundField) -> SafeString:
    """The field's widget with aria-describedby pointing at its hint and error messages."""
    described = []
    if field.help_text or text_limit(field):
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def status_class(status: str) -> str:
    return {
        "draft": "badge-info",
        "submitted": "badge-info",
        "info_requested": "badge-warning",
        "in_hearing": "badge-warning",  # waits for the association, as info_requested
        "granted": "badge-success",
        "paid": "badge-success",
        "closed": "badge-success",
        "refused": "badge-error",
        "ineligible": "badge-error",
    }.get(status, "badge-info")  # every other state is a light tag too: dark reads as a button


@register.filter
def text_limit(field: BoundField) -> int | None:
    """A free text's length limit, shown under it with a counter (templates/_field.html);
    None for a short input, whose limit is no news to anyone."""
    limit = getattr(field.field, "max_length", None)
    return limit if limit and isinstance(field.field.widget, forms.Textarea) else None
