"""Every free text on a screen says its limit and counts down (issue 17: the shared field
template does for every form what the guided application's steps do), and short inputs are
left alone."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from cases import limits
from tests.conftest import advance

pytestmark = pytest.mark.django_db


class _Form(forms.Form):
    text = forms.CharField(label="Tekst", max_length=400, widget=forms.Textarea)
    name = forms.CharField(label="Navn", max_length=100)


def _render(field: forms.BoundField) -> str:
    with override("da"):
        return render_to_string("_field.html", {"field": field})


def test_a_text_area_shows_its_limit_and_the_counter_reads_it() -> None:
    html = _render(_Form()["text"])
    assert 'class="form-group pf-limit" data-maxlength="400"' in html
    assert "Højst 400 tegn." in html
    assert 'maxlength="400"' in html and 'aria-describedby="id_text-hint"' in html
    assert 'class="form-hint character-limit"' in html


def test_a_short_input_has_no_counter() -> None:
    html = _render(_Form()["name"])
    assert "pf-limit" not in html and "tegn" not in html and "id_name-hint" not in html


def test_the_message_form_on_the_case_page_shows_the_limit(
    world: SimpleNamespace, draft: Any, as_user: Any
) -> None:
    case = advance(draft, world, "submitted")
    page = as_user(world.anna).get(reverse("case_messages:message_send", args=[case.pk]))
    html = page.content.decode()
    assert f'data-maxlength="{limits.TEXT}"' in html
    assert "character-limit" in html
