"""File notes (notatpligt): written by who acts on the case, never changed, chained,
shown to the staff, to the association only when made visible, and in the export."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cases.documents.exports import case_file_zip
from cases.models import AppendOnlyRowError, Application, FileNote, TransitionRecord
from cases.services.case_notes import case_notes, note_create, notes_for
from cases.trail.disclosure import disclosed_records
from cases.trail.timeline import trail_events
from cases.trail.verify import verify_trail
from workflows.engine import perform

from ..conftest import advance
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db

CALL = "Formanden ringede: budgettet for 2027 er opdateret, nyt kommer pr. post."
SECRET = "Markør-N7-intern-note-om-foreningen"


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    with override("en"):
        yield


@pytest.fixture
def as_user(as_user: Any) -> Any:
    """The screens in English, so the tests can read the messages."""

    def login(user: Any) -> Any:
        client = as_user(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def case(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "submitted")


def _note(case: Application, user: Any, text: str = CALL, **kwargs: Any) -> FileNote:
    return note_create(application=case, acting_user=user, text=text, **kwargs)


# --- writing ---------------------------------------------------------------------------


def test_carl_writes_a_note_chained_in_the_trail(world: SimpleNamespace, case: Application) -> None:
    note = _note(case, world.carl, concerns="phone", occurred_on=datetime.date(2026, 12, 1))

    record = TransitionRecord.objects.filter(application=case).order_by("-seq").first()
    assert record is not None
    assert (record.flow, record.transition, record.reason) == ("notes", "file_note", CALL)
    assert record.from_state == record.to_state == "submitted"
    assert record.payload["note"] == note.pk
    assert record.payload["visible"] is False
    assert (note.author, note.role, note.concerns) == (world.carl, "case_officer", "phone")
    assert verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems == []


def test_the_date_defaults_to_today(world: SimpleNamespace, case: Application) -> None:
    assert _note(case, world.carl).occurred_on == timezone.localdate()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "  \n "}, "text"),
        ({"occurred_on": datetime.date.today() + datetime.timedelta(days=2)}, "occurred_on"),
        ({"concerns": "telepathy"}, "concerns"),
    ],
    ids=["empty", "blank", "future", "unknown-concerns"],
)
def test_it_refuses_bad_input_and_records_nothing(
    world: SimpleNamespace, case: Application, data: dict[str, Any], field: str
) -> None:
    records = TransitionRecord.objects.filter(application=case).count()
    with pytest.raises(ValidationError) as refused:
        _note(case, world.carl, **{"text": CALL, **data})
    assert field in refused.value.message_dict
    assert TransitionRecord.objects.filter(application=case).count() == records
    assert not FileNote.objects.exists()


@pytest.mark.parametrize("who", ["anna", "dorte", "gustav", "bo"])
def test_others_cannot_write_notes(world: SimpleNamespace, case: Application, who: str) -> None:
    with pytest.raises(PermissionDenied, match="case officer or the chair"):
        _note(case, getattr(world, who))
    # The same call by carl goes through: the refusal came from the rule.
    _note(case, world.carl)


def test_no_note_on_a_draft(world: SimpleNamespace, draft: Application) -> None:
    """A draft is the association's own, deleted if never submitted: no file yet."""
    with pytest.raises(PermissionDenied, match="still a draft"):
        _note(draft, world.carl)
    assert not FileNote.objects.exists()


def test_the_chairs_write_notes_in_their_role(world: SimpleNamespace, case: Application) -> None:
    assert _note(case, world.erik).role == "council_chair"
    assert _note(case, world.frida).role == "committee_chair"


# --- never changed -----------------------------------------------------------------------


def test_a_note_is_never_changed_nor_deleted(world: SimpleNamespace, case: Application) -> None:
    note = _note(case, world.carl)
    note.text = "Noget andet"
    with pytest.raises(AppendOnlyRowError):
        note.save()
    with pytest.raises(AppendOnlyRowError):
        note.delete()
    with pytest.raises(AppendOnlyRowError):
        FileNote.objects.filter(pk=note.pk).update(text="x")
    with pytest.raises(AppendOnlyRowError):
        FileNote.objects.filter(pk=note.pk).delete()
    assert FileNote.objects.get(pk=note.pk).text == CALL


def test_no_route_changes_or_deletes_a_note(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    note = _note(case, world.carl)
    names = {p.name for p in _patterns() if p.name}
    assert not {n for n in names if "note" in n and ("edit" in n or "delete" in n)}
    client = as_user(world.carl)
    for path in (f"/applications/{case.pk}/notes/{note.pk}/", f"/notes/{note.pk}/delete/"):
        assert client.post(path).status_code == 404


def _patterns() -> list[Any]:
    from django.urls import get_resolver

    found = []

    def walk(patterns: Any) -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns)
            else:
                found.append(p)

    walk(get_resolver().url_patterns)
    return found


def test_a_correcting_note_points_to_the_original(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    original = _note(case, world.carl)
    correction = _note(case, world.carl, text="Rettelse: det var kassereren.", corrects=original)

    assert correction.corrects == original
    assert list(original.corrections.all()) == [correction]
    record = TransitionRecord.objects.filter(application=case).order_by("-seq").first()
    assert record is not None and record.payload["corrects"] == original.pk
    page = (
        as_user(world.carl)
        .get(reverse("applications:application_detail", args=[case.pk]))
        .content.decode()
    )
    # Shown together: the correction inside the original's entry.
    entry = page.split(f'data-note="{original.pk}"', 1)[1]
    assert f'data-corrects="{original.pk}"' in entry.split("</ol>", 1)[0]


def test_a_correction_must_be_on_the_same_case(world: SimpleNamespace, case: Application) -> None:
    original = _note(case, world.carl)
    elsewhere = ApplicationFactory(round=world.round, association=world.b)
    elsewhere.focus_areas.set([world.focus])
    elsewhere = perform(elsewhere, "submit", user=world.bo)
    with pytest.raises(ValidationError) as refused:
        _note(elsewhere, world.carl, corrects=original)
    assert "corrects" in refused.value.message_dict


# --- who sees what -----------------------------------------------------------------------


def test_staff_see_every_note_the_association_only_visible_ones(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    hidden = _note(case, world.carl, text=SECRET)
    shown = _note(case, world.carl, text="I har sendt det nye budget.", visible_to_applicant=True)

    assert notes_for(world.carl, case) == [hidden, shown]
    assert notes_for(world.gustav, case) == [hidden, shown]
    assert notes_for(world.anna, case) == [shown]
    # Both remain part of the file handed out on a request for access.
    assert list(case_notes(case)) == [hidden, shown]

    records = list(TransitionRecord.objects.filter(application=case).order_by("seq"))
    seen = disclosed_records(world.anna, case, records)
    assert [r.reason for r in seen if r.transition == "file_note"] == [shown.text]
    assert all(SECRET not in r.reason for r in seen)

    anna_page = as_user(world.anna).get(reverse("applications:application_detail", args=[case.pk]))
    assert SECRET not in anna_page.content.decode()
    assert shown.text in anna_page.content.decode()
    assert 'id="note-form"' not in anna_page.content.decode()
    carl_page = as_user(world.carl).get(reverse("applications:application_detail", args=[case.pk]))
    assert SECRET in carl_page.content.decode()
    assert 'id="note-form"' in carl_page.content.decode()


def test_the_staff_trail_and_the_export_hold_every_note(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    hidden = _note(case, world.carl, text=SECRET, concerns="email")
    _note(case, world.carl, text="Rettelse", corrects=hidden, visible_to_applicant=True)

    notes = [e for e in trail_events(case) if e.kind == "note"]
    assert [e.detail for e in notes] == [SECRET, "Rettelse"]
    trail = as_user(world.gustav).get(reverse("audit:application_trail", args=[case.pk]))
    assert SECRET in trail.content.decode()

    buffer = io.BytesIO()
    case_file_zip(case, buffer)
    with zipfile.ZipFile(buffer) as archive:
        exported = json.loads(archive.read("notes.json"))["notes"]
        trail_json = json.loads(archive.read("trail.json"))
    assert [n["text"] for n in exported] == [SECRET, "Rettelse"]
    assert exported[1]["corrects"] == hidden.pk
    assert exported[0]["concerns_label"]
    assert exported[0]["written_at"].endswith(("+01:00", "+02:00"))  # local time, zone stated
    assert any(r["transition"] == "file_note" for r in trail_json["transition_records"])


def test_verify_trail_finds_a_note_without_its_record(
    world: SimpleNamespace, case: Application
) -> None:
    note = _note(case, world.carl)
    # Written behind the service's back: no record.
    FileNote(
        application=case,
        text="Indsat uden om",
        occurred_on=note.occurred_on,
        author=world.carl,
        author_name="x",
        role="case_officer",
    ).save()
    problems = verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems
    assert [str(p) for p in problems if "no record" in str(p)]


# --- screens -----------------------------------------------------------------------------


def test_carl_writes_a_note_on_the_case_page(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    response = as_user(world.carl).post(
        reverse("notes:note_create", args=[case.pk]),
        {"text": CALL, "concerns": "phone", "occurred_on": "2026-12-01"},
    )
    assert response.status_code == 302
    note = FileNote.objects.get()
    assert (note.text, note.concerns, note.occurred_on) == (
        CALL,
        "phone",
        datetime.date(2026, 12, 1),
    )
    page = as_user(world.carl).get(response["Location"]).content.decode()
    assert CALL in page
    assert "Carl" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "Write the note"),
        (
            {"occurred_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()},
            "occurred_on",
            "future",
        ),
        ({"occurred_on": "1.1.x"}, "occurred_on", "YYYY-MM-DD"),
    ],
    ids=["empty", "future", "not-a-date"],
)
def test_the_note_form_shows_errors_and_keeps_the_text(
    world: SimpleNamespace,
    case: Application,
    as_user: Any,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    sent = {"text": CALL, "concerns": "meeting", **data}
    response = as_user(world.carl).post(reverse("notes:note_create", args=[case.pk]), sent)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="note-{field}-error"' in page
    assert message in page
    if sent["text"]:
        assert CALL in page  # nothing typed is lost
    assert not FileNote.objects.exists()


@pytest.mark.parametrize("who", ["anna", "dorte", "gustav"])
def test_the_note_screen_refuses_others_with_a_message(
    world: SimpleNamespace, case: Application, as_user: Any, who: str
) -> None:
    response = as_user(getattr(world, who)).post(
        reverse("notes:note_create", args=[case.pk]), {"text": CALL}
    )
    assert response.status_code == 403
    assert "case officer or the chair" in response.content.decode()
    assert not FileNote.objects.exists()
    assert (
        as_user(world.carl)
        .post(reverse("notes:note_create", args=[case.pk]), {"text": CALL})
        .status_code
        == 302
    )


def test_staff_of_another_municipality_get_404(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    response = as_user(world.helle).post(
        reverse("notes:note_create", args=[case.pk]), {"text": CALL}
    )
    assert response.status_code == 404
    assert not FileNote.objects.exists()


# --- what the case page costs ------------------------------------------------------------


def _page_queries(client: Any, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_case_page_costs_the_same_queries_for_1_and_6_notes(
    world: SimpleNamespace, case: Application, as_user: Any
) -> None:
    client = as_user(world.carl)
    url = reverse("applications:application_detail", args=[case.pk])
    first = _note(case, world.carl)
    client.get(url)  # the session and the profile settle on the first visit
    one = _page_queries(client, url)
    # Five more: a correction, notes shown to the association and not, on other dates.
    _note(case, world.carl, "Rettelse: budgettet kommer pr. e-mail.", corrects=first)
    for n in range(4):
        _note(case, world.carl, f"Note {n}", visible_to_applicant=bool(n % 2))
    assert FileNote.objects.filter(application=case).count() == 6

    six = _page_queries(client, url)

    assert len(six) == len(one), "\n".join(six)
    # The notes themselves: one query, whatever their number (authors and corrections joined).
    assert sum('"cases_filenote"' in sql.split(" WHERE ")[0] for sql in six) == 1
    assert "Note 3" in client.get(url).content.decode()
