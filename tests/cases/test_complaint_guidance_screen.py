"""The municipality's complaint guidance edited in the screens (issue 17): the general
text and one per kind of letter; blank falls back; the letters use what was saved; only
the municipality's case officers and managers may, each for their own municipality."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import override

from cases import limits
from cases.models import ComplaintGuidance, Municipality
from cases.models.documents import GUIDED_KINDS, DocumentKind
from cases.services.complaint_guidance import complaint_guidance_save

pytestmark = pytest.mark.django_db
URL = reverse("rounds:complaint_guidance")


def _data(**texts: str) -> dict[str, str]:
    return {"general": "", **{k.value: "" for k in GUIDED_KINDS}, **texts}


def test_a_case_officer_writes_the_general_text_and_one_for_refusals(
    world: Any, client: Any
) -> None:
    client.force_login(world.carl)
    response = client.post(
        URL, _data(general="Klag til Ankestyrelsen.", refusal="Afslag: ring til os først.")
    )

    assert response.status_code == 302
    roskilde = Municipality.objects.get(pk=world.roskilde.pk)
    assert roskilde.complaint_guidance == "Klag til Ankestyrelsen."
    assert roskilde.complaint_text(DocumentKind.REFUSAL) == "Afslag: ring til os først."
    # A kind without a text of its own takes the general one.
    assert roskilde.complaint_text(DocumentKind.PARTIAL_GRANT) == "Klag til Ankestyrelsen."
    assert roskilde.history.first().history_user == world.carl
    page = client.get(response["Location"])
    assert "Afslag: ring til os først." in page.content.decode()


def test_a_blank_text_removes_the_municipalitys_own_and_the_default_returns(
    world: Any, client: Any
) -> None:
    ComplaintGuidance.objects.create(
        municipality=world.roskilde, kind=DocumentKind.REJECTION, text="Gammel tekst"
    )
    client.force_login(world.carl)
    assert client.post(URL, _data()).status_code == 302

    assert not ComplaintGuidance.objects.filter(municipality=world.roskilde).exists()
    roskilde = Municipality.objects.get(pk=world.roskilde.pk)
    with override("da"):
        assert "Ankestyrelsen" in roskilde.complaint_text(DocumentKind.REJECTION)


def test_a_text_too_long_is_refused_beside_its_field_and_nothing_is_saved(
    world: Any, client: Any
) -> None:
    before = world.roskilde.complaint_guidance
    client.force_login(world.carl)
    too_long = "x" * (limits.TEXT + 1)
    response = client.post(URL, _data(general="Kort og godt.", refusal=too_long))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_refusal-error"' in html or "id_refusal" in html
    assert "Kort og godt." in html  # what was typed is kept
    assert Municipality.objects.get(pk=world.roskilde.pk).complaint_guidance == before


@pytest.mark.parametrize("name", ["anna", "dorte", "erik", "frida", "gustav"])
def test_nobody_but_the_municipalitys_case_officers_may(world: Any, client: Any, name: str) -> None:
    client.force_login(getattr(world, name))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _data(general="Nej.")).status_code == 403
    # The same request from a case officer is allowed: the refusal came from the rule.
    client.force_login(world.carl)
    assert client.post(URL, _data(general="Ja.")).status_code == 302


def test_a_case_officer_edits_only_her_own_municipality(world: Any, client: Any) -> None:
    roskildes = world.roskilde.complaint_guidance
    client.force_login(world.helle)  # Næstved's case officer
    response = client.post(
        URL, {**_data(general="Næstveds tekst."), "municipality": str(world.roskilde.pk)}
    )
    assert response.status_code == 302
    assert Municipality.objects.get(pk=world.naestved.pk).complaint_guidance == "Næstveds tekst."
    assert Municipality.objects.get(pk=world.roskilde.pk).complaint_guidance == roskildes
    with pytest.raises(PermissionDenied):
        complaint_guidance_save(
            municipality=world.roskilde, acting_user=world.helle, general="x", per_kind={}
        )


def test_each_field_shows_the_text_a_blank_gives_now(world: Any, client: Any) -> None:
    from html import unescape

    from cases.models.documents import REPORT_RETURNED_GUIDANCE, default_complaint_text

    client.force_login(world.carl)
    with override("da"):
        default, returned = default_complaint_text(), str(REPORT_RETURNED_GUIDANCE)

    def shown(page: str, name: str) -> str:
        start = page.index(f'id="blank-gives-{name}"')
        return unescape(page[start : page.index("</details>", start)])

    client.post(URL, _data())  # no texts of the municipality's own
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert default.split("\n")[0] in shown(page, "general")
    assert default.split("\n")[0] in shown(page, "refusal")  # no general text: the default
    assert returned in shown(page, "report_returned")

    client.post(URL, _data(general="Klag til Ankestyrelsen."))
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Klag til Ankestyrelsen." in shown(page, "refusal")  # now the general text
    assert default.split("\n")[0] in shown(page, "general")
