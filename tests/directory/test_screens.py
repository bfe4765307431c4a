"""The association's own screens: from its home, fill in, preview exactly as the public
sees it, publish, change, withdraw with a confirmation; only its representatives."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.models import DirectoryEntry
from tests.directory.conftest import entry_data, listed

pytestmark = pytest.mark.django_db


def _form(**overrides: Any) -> dict[str, Any]:
    data = entry_data(**overrides)
    form: dict[str, Any] = {k: v for k, v in data.items() if not isinstance(v, bool)}
    for flag in ("whole_municipality", "seeks_volunteers"):
        if data[flag]:
            form[flag] = "on"
    return form


def _words(html: str) -> str:
    return " ".join(html.split())


def _edit(world: SimpleNamespace, association: Any = None) -> str:
    return reverse("directory:entry_edit", args=[(association or world.a).pk, world.roskilde.slug])


def test_the_association_home_leads_to_the_directory(world: SimpleNamespace, client: Any) -> None:
    client.force_login(world.anna)
    home = client.get(reverse("home:home")).content.decode()
    overview = reverse("directory:entries", args=[world.a.pk])
    assert overview in home
    page = client.get(overview).content.decode()
    assert _edit(world) in page  # »Vis jer i foreningsoversigten« for Roskilde


def test_preview_shows_the_public_page_and_saves_nothing(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.anna)
    response = client.post(_edit(world), {**_form(), "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-directory-preview" in html
    assert "Vi mangler frivillige til matematik." in html  # in the preview and the form
    assert 'id="directory-publish"' in html
    assert not DirectoryEntry.objects.exists()
    # what the public page shows is the same block the preview shows
    response = client.post(_edit(world), {**_form(), "action": "publish"})
    assert response.status_code == 302
    public = client.get(
        reverse("directory:public_entry", args=[world.roskilde.slug, world.a.pk])
    ).content.decode()
    preview_block = html.split("data-directory-entry>")[1].split("</dl>")[0]
    public_block = public.split("data-directory-entry>")[1].split("</dl>")[0]
    # the only difference: the public page says since when the association is listed
    since = re.compile(r"<dt>[^<]*(since|siden)</dt><dd>[^<]*</dd>")
    assert "<dd>" in preview_block
    assert _words(since.sub("", public_block)) == _words(preview_block)


def test_publishing_records_who_and_when(world: SimpleNamespace, client: Any) -> None:
    client.force_login(world.anna)
    response = client.post(_edit(world), {**_form(), "action": "publish"})
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get()
    assert entry.published and entry.published_at is not None
    assert [g.code for g in entry.target_groups.all()] == ["children"]
    assert [f.name for f in entry.focus_areas.all()] == ["Børn og unge"]
    row = entry.history.latest()
    assert row.history_user_id == world.anna.pk and row.published


def test_a_refused_form_says_why_beside_the_field_and_keeps_everything(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.anna)
    response = client.post(
        _edit(world),
        {
            **_form(description="", area="", website="not a site", contact_phone="12"),
            "action": "publish",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("description", "area", "website", "contact_phone"):
        assert f'id="id_{field}-error"' in html, field
    assert "Vi mangler frivillige til matematik." in html  # what was typed is kept
    assert re.search(r'<input[^>]*value="children"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="older"[^>]*checked', html)
    assert not DirectoryEntry.objects.exists()


def test_editing_changes_the_public_page_and_keeps_the_date(
    world: SimpleNamespace, client: Any
) -> None:
    entry = listed(world)
    first = entry.published_at
    client.force_login(world.anna)
    form = client.get(_edit(world)).content.decode()
    assert "Vi laver lektiehjælp" in form  # the form starts from what is published
    response = client.post(
        _edit(world), {**_form(description="Nu også om lørdagen."), "action": "publish"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.description == "Nu også om lørdagen." and entry.published_at == first
    public = client.get(reverse("directory:public_entry", args=[world.roskilde.slug, world.a.pk]))
    assert "Nu også om lørdagen." in public.content.decode()


def test_withdrawing_asks_first_then_removes(world: SimpleNamespace, client: Any) -> None:
    listed(world)
    client.force_login(world.anna)
    url = reverse("directory:entry_withdraw", args=[world.a.pk, world.roskilde.slug])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'id="directory-withdraw-confirm"' in confirm.content.decode()
    assert DirectoryEntry.objects.get().published  # asking changed nothing
    response = client.post(url)
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get()
    assert not entry.published and entry.withdrawn_at is not None
    assert entry.history.latest().history_user_id == world.anna.pk
    # again: nothing to withdraw, said in words, not an error page
    again = client.post(url, follow=True)
    assert again.status_code == 200
    assert "Roskilde Kommune" in again.content.decode()


@pytest.mark.parametrize("who", ["bo", "carl", "gustav", "dorte"])
def test_only_the_associations_representatives_reach_its_screens(
    world: SimpleNamespace, client: Any, who: str
) -> None:
    listed(world)
    urls = [
        reverse("directory:entries", args=[world.a.pk]),
        _edit(world),
        reverse("directory:entry_withdraw", args=[world.a.pk, world.roskilde.slug]),
    ]
    client.force_login(getattr(world, who))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(urls[1], {**_form(description="Kapret"), "action": "publish"}).status_code
        == 404
    )
    assert client.post(urls[2]).status_code == 404
    entry = DirectoryEntry.objects.get()
    assert entry.published and entry.description != "Kapret"
    # the same requests by the representative get through: the refusal was the rule's
    client.force_login(world.anna)
    assert client.get(urls[0]).status_code == 200
    assert client.post(urls[2]).status_code == 302


def test_anonymous_is_sent_to_sign_in(world: SimpleNamespace, client: Any) -> None:
    response = client.get(reverse("directory:entries", args=[world.a.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
