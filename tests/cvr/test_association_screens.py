"""The screens of issue 18's CVR part: a case officer registers an association by its CVR
number (found, missing, register down, wrong number, already registered); the association's
own details page (its contact details, »fetch again from CVR«, its changes)."""

from __future__ import annotations

import datetime
import socket
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cases.models import Association
from cases.registers.cvr import lookup
from cases.services.associations import create_from_cvr, refresh_from_cvr
from tests.factories import AssociationFactory

FOUND = "29990018"  # in the fake: Fiktiv Strikkecafé Himmelev (demo), Himmelev Bygade 12B
MISSING = "39990008"  # valid, not in the fake
NEW = reverse("associations:association_new")


def client_for(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def details(association: Association) -> str:
    return reverse("associations:association_details", args=[association.pk])


def contact(**overrides: str) -> dict[str, str]:
    return {
        "contact_person": "Kim Kontakt",
        "email": "kim@example.org",
        "phone": "12345678",
        "language": "da",
        **overrides,
    }


@pytest.fixture
def register_down(settings: Any) -> None:
    """The HTTP adapter pointed at a port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.PULJEFLOW_CVR_ADAPTER = "http"
    settings.PULJEFLOW_CVR_URL = f"http://127.0.0.1:{port}/cvr-permanent/virksomhed/_search"


# --- registering ---------------------------------------------------------------------------


def test_carl_starts_with_the_cvr_number(world: SimpleNamespace) -> None:
    response = client_for(world.carl).get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="cvr"' in html and 'name="name"' not in html


def test_a_found_cvr_fills_in_the_name_and_address(world: SimpleNamespace) -> None:
    response = client_for(world.carl).get(NEW, {"cvr": "2999 0018"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "cvr": FOUND,
        "name": "Fiktiv Strikkecafé Himmelev (demo)",
        "address": "Himmelev Bygade 12B",
        "postal_code": "4000",
        "city": "Roskilde",
    }
    html = response.content.decode()
    assert 'id="cvr-found"' in html and 'value="Himmelev Bygade 12B"' in html


def test_a_missing_cvr_leads_to_typing_the_details_in(world: SimpleNamespace) -> None:
    response = client_for(world.carl).get(NEW, {"cvr": MISSING})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="cvr-problem"' in html and "has no company with this number" in html
    assert response.context["form"].initial == {"cvr": MISSING}  # the number as typed
    assert 'name="name"' in html


def test_a_register_that_is_down_leads_to_typing_the_details_in(
    world: SimpleNamespace, register_down: None
) -> None:
    response = client_for(world.carl).get(NEW, {"cvr": FOUND})
    assert response.status_code == 200
    assert "cannot be reached" in response.content.decode()
    assert response.context["form"].initial == {"cvr": FOUND}


@pytest.mark.parametrize(
    ("cvr", "message"),
    [("2999001", "exactly 8 digits"), ("29990019", "not a valid CVR number"), ("", "required")],
)
def test_a_wrong_number_is_refused_beside_the_field_and_kept(
    world: SimpleNamespace, cvr: str, message: str
) -> None:
    response = client_for(world.carl).get(NEW, {"cvr": cvr})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_cvr-error"' in html and message in html
    assert f'value="{cvr}"' in html or not cvr


def test_an_association_registered_before_is_refused_with_a_link_to_it(
    world: SimpleNamespace,
) -> None:
    existing = AssociationFactory(cvr=FOUND, name="Strikkecaféen")
    response = client_for(world.carl).get(NEW, {"cvr": FOUND, "round": world.round.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Strikkecaféen is already registered" in html
    assert f'href="{details(existing)}"' in html
    assert f"?association={existing.pk}" in html  # or straight on to the paper application
    # The same at the save, should it have been registered meanwhile.
    response = client_for(world.carl).post(NEW, {"cvr": FOUND, "name": "X", **contact()})
    assert (
        response.status_code == 400 and f'href="{details(existing)}"' in response.content.decode()
    )
    assert Association.objects.filter(cvr=FOUND).count() == 1


def test_the_register_data_saved_counts_as_fetched(world: SimpleNamespace) -> None:
    company = lookup(FOUND)
    data = {"cvr": FOUND, **{f: getattr(company, f) for f in ("name", "address", "city")}}
    response = client_for(world.carl).post(
        f"{NEW}?round={world.round.pk}", {**data, "postal_code": "4000", **contact()}
    )
    association = Association.objects.get(cvr=FOUND)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?association={association.pk}")
    assert association.cvr_fetched_at is not None
    assert association.history.get().history_user == world.carl


def test_details_typed_in_are_not_counted_as_fetched(world: SimpleNamespace) -> None:
    response = client_for(world.carl).post(
        NEW,
        {
            "cvr": MISSING,
            "name": "Ny forening",
            "address": "Vej 1",
            "postal_code": "4000",
            "city": "Roskilde",
            **contact(),
        },
    )
    association = Association.objects.get(cvr=MISSING)
    assert response.status_code == 302 and response["Location"] == details(association)
    assert association.cvr_fetched_at is None
    # A name that differs from the register's is typed, too.
    company = lookup(FOUND)
    client_for(world.carl).post(
        NEW,
        {
            "cvr": FOUND,
            "name": "Strikkeklubben",
            "address": company.address,
            "postal_code": company.postal_code,
            "city": company.city,
            **contact(),
        },
    )
    assert Association.objects.get(cvr=FOUND).cvr_fetched_at is None


def test_a_refused_save_keeps_every_field(world: SimpleNamespace) -> None:
    response = client_for(world.carl).post(
        NEW,
        {
            "cvr": MISSING,
            "name": "Ny forening",
            "address": "Vej 1",
            "postal_code": "40",
            "city": "Roskilde",
            **contact(email="ikke-en-adresse"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_postal_code-error"' in html and 'id="id_email-error"' in html
    for value in ("Ny forening", "Vej 1", "ikke-en-adresse", "Kim Kontakt", MISSING):
        assert f'value="{value}"' in html
    assert not Association.objects.filter(cvr=MISSING).exists()


def test_only_a_case_officer_registers(world: SimpleNamespace) -> None:
    for user in (world.anna, world.gustav, world.frida):
        assert client_for(user).get(NEW, {"cvr": FOUND}).status_code == 403
    assert client_for(world.helle).get(NEW, {"cvr": FOUND}).status_code == 200  # Næstved's


# --- the association's own details ------------------------------------------------------


@pytest.fixture
def fetched(world: SimpleNamespace) -> Association:
    """Anna's association as the register had it a year ago: the name has changed since."""
    association = world.a
    association.cvr = FOUND
    association.name = "Strikkecaféen i Himmelev"
    association.cvr_fetched_at = timezone.now() - datetime.timedelta(days=365)
    association.save()
    return association


def test_the_representative_completes_the_contact_details(
    world: SimpleNamespace, fetched: Association
) -> None:
    client = client_for(world.anna)
    html = client.get(details(fetched)).content.decode()
    assert "Fetched from the CVR register" in html
    assert 'name="contact_person"' in html
    assert 'name="name"' not in html  # the register's: fetched again, not typed over
    response = client.post(details(fetched), contact(contact_person="Anna Andersen", name="X"))
    assert response.status_code == 302
    fetched.refresh_from_db()
    assert fetched.contact_person == "Anna Andersen" and fetched.name == "Strikkecaféen i Himmelev"
    latest = fetched.history.latest()
    assert latest.history_user == world.anna
    assert "contact person" in client.get(details(fetched)).content.decode()  # in its changes


def test_typed_in_details_can_be_corrected(world: SimpleNamespace) -> None:
    assert world.a.cvr_fetched_at is None
    client = client_for(world.anna)
    assert 'name="name"' in client.get(details(world.a)).content.decode()
    data = {
        "name": "Lektiecaféen Syd",
        "address": "Ny vej 2",
        "postal_code": "4000",
        "city": "Roskilde",
        **contact(),
    }
    assert client.post(details(world.a), data).status_code == 302
    world.a.refresh_from_db()
    assert (world.a.name, world.a.address) == ("Lektiecaféen Syd", "Ny vej 2")


def test_a_refused_change_keeps_the_input(world: SimpleNamespace, fetched: Association) -> None:
    response = client_for(world.anna).post(details(fetched), contact(phone="12", email="kim@x"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_phone-error"' in html and 'value="Kim Kontakt"' in html


def test_after_completing_the_details_the_person_goes_on(
    world: SimpleNamespace, fetched: Association
) -> None:
    client = client_for(world.anna)
    url = details(fetched) + "?next=/applications/"
    assert 'name="next" value="/applications/"' in client.get(url).content.decode()
    response = client.post(url, {**contact(), "next": "/applications/"})
    assert response["Location"] == "/applications/"
    response = client.post(url, {**contact(), "next": "https://evil.example/"})
    assert response["Location"] == details(fetched)  # not to another site


def test_fetching_again_takes_the_registers_name(
    world: SimpleNamespace, fetched: Association
) -> None:
    client = client_for(world.anna)
    before = fetched.cvr_fetched_at
    response = client.post(reverse("associations:association_refresh", args=[fetched.pk]))
    assert response.status_code == 302 and response["Location"] == details(fetched)
    fetched.refresh_from_db()
    assert fetched.name == "Fiktiv Strikkecafé Himmelev (demo)"
    assert fetched.address == "Himmelev Bygade 12B"
    assert fetched.cvr_fetched_at > before
    latest = fetched.history.latest()
    assert latest.history_user == world.anna and latest.name == fetched.name
    html = client.get(details(fetched)).content.decode()
    assert "have been fetched from the CVR register" in html
    # Again: nothing new.
    client.post(reverse("associations:association_refresh", args=[fetched.pk]))
    html = client.get(details(fetched)).content.decode()
    assert "same name and address" in html
    # Asking the register is in the association's changes even when nothing else changed.
    changes = html[html.index('id="association-changes"') :]
    assert "fetched from the CVR register" in changes and "name, address" in changes


def test_fetching_again_when_the_register_cannot_answer_changes_nothing(
    world: SimpleNamespace, fetched: Association, register_down: None
) -> None:
    client = client_for(world.carl)
    response = client.post(
        reverse("associations:association_refresh", args=[fetched.pk]), {"next": "/rounds/"}
    )
    assert response["Location"] == details(fetched) + "?next=%2Frounds%2F"
    stored = Association.objects.get(pk=fetched.pk)
    assert stored.name == "Strikkecaféen i Himmelev"
    assert stored.cvr_fetched_at == fetched.cvr_fetched_at
    assert "cannot be reached" in client.get(details(fetched)).content.decode()


def test_staff_read_the_details_and_only_the_representatives_change_them(
    world: SimpleNamespace, fetched: Association
) -> None:
    for reader in (world.carl, world.helle, world.gustav):
        response = client_for(reader).get(details(fetched))
        assert response.status_code == 200
        assert response.context["form"] is None and 'id="association-contact"' in (
            response.content.decode()
        )
        assert client_for(reader).post(details(fetched), contact()).status_code == 403
    assert (
        client_for(world.gustav)
        .post(reverse("associations:association_refresh", args=[fetched.pk]))
        .status_code
        == 403
    )
    for outsider in (world.bo, world.frida, world.dorte):  # dorte sits on the board only
        assert client_for(outsider).get(details(fetched)).status_code == 404
    assert client_for(world.anna).get(details(fetched)).context["form"] is not None


# --- the services the sign-in uses -------------------------------------------------------


def test_create_from_cvr_makes_a_fetched_association_once(db: Any) -> None:
    company = lookup(FOUND)
    first = create_from_cvr(company)
    assert first.cvr_fetched_at is not None and first.name == company.name
    assert create_from_cvr(company).pk == first.pk


def test_refresh_from_cvr_without_a_person_is_the_system(
    world: SimpleNamespace, fetched: Association
) -> None:
    assert refresh_from_cvr(fetched) == ["name", "address"]
    assert fetched.history.latest().history_user is None
    with override("en"), pytest.raises(Exception, match="may not"):
        refresh_from_cvr(fetched, acting_user=world.bo)


def test_the_changes_are_read_in_one_query_however_many(
    world: SimpleNamespace, fetched: Association, django_assert_num_queries: Any
) -> None:
    from cases.selectors.associations import association_changes

    # Query: the association's newest history rows (limit + 1).
    with django_assert_num_queries(1):
        few = association_changes(fetched)
    for n in range(15):
        fetched.phone = f"1234567{n % 10}"
        fetched.save()
    with override("en"), django_assert_num_queries(1):
        many = association_changes(fetched)
    assert len(few) == 2 and len(many) == 10
    assert many[0].what == ["phone"]


def test_registered_by_someone_else_at_the_same_moment_is_refused_in_words(
    world: SimpleNamespace, monkeypatch: Any
) -> None:
    from cases.services import associations as services

    existing = AssociationFactory(cvr=MISSING, name="Først")
    # The other registration lands between the check and the save: the database refuses.
    monkeypatch.setattr(services, "_registered", lambda cvr: None)
    data = {
        "cvr": MISSING,
        "name": "Sidst",
        "address": "Vej 1",
        "postal_code": "4000",
        "city": "Roskilde",
        **contact(),
    }
    with pytest.raises(services.AssociationExists) as caught:
        services.association_register(acting_user=world.carl, data=data)
    assert caught.value.association == existing
    response = client_for(world.carl).post(NEW, data)
    assert (
        response.status_code == 400 and f'href="{details(existing)}"' in response.content.decode()
    )
