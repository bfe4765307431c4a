"""The message form on the case page: text and files (cases/services/case_messages.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from cases import limits
from cases.models import Application
from web.forms import DkfdsMixin
from workflows.inputs import DocumentFiles, check_room_for


class MessageForm(DkfdsMixin, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=limits.TEXT,
        widget=forms.Textarea(
            attrs={"rows": 5, "data-required-message": gettext_lazy("Write the message.")}
        ),
        help_text=gettext_lazy("A message cannot be changed or deleted once it is sent."),
        error_messages={
            "required": gettext_lazy("Write the message."),
            "max_length": gettext_lazy("The message may be at most %(limit_value)s characters."),
        },
    )
    documents = DocumentFiles()

    def __init__(self, *args: Any, application: Application | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "message-%s")
        super().__init__(*args, **kwargs)
        self.application = application

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_room_for(self, "documents", self.application)
        return data
