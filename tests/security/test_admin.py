"""The Django admin, left out of the matrix as a group: only the admin role gets in.

Every other role (none of them is ``is_staff``) is sent to the admin's login page, for the
admin index and for a model page; anonymous too. Writes to the admin need CSRF like any
other form (test_csrf.py covers the screens; here one admin POST without a token).
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from . import matrix as m

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("security")]

PAGES = ("admin:index", "admin:cases_application_changelist")


@pytest.fixture
def cast(scene: SimpleNamespace) -> SimpleNamespace:
    """The cast of the package's scene (conftest.py), built once for tests/security."""
    return scene.world


@pytest.mark.parametrize("role", [r for r in m.ROLES if r != m.ADMIN])
def test_the_admin_is_closed_to_every_role_but_admin(cast: SimpleNamespace, role: str) -> None:
    client = Client()
    if role != m.ANONYMOUS:
        client.force_login(getattr(cast, m.USERNAMES[role]))
    for page in PAGES:
        response = client.get(reverse(page))
        assert response.status_code == 302, (role, page, response.status_code)
        assert urlsplit(response["Location"]).path == reverse("admin:login"), (role, page)


def test_the_admin_is_open_to_the_admin(cast: SimpleNamespace) -> None:
    client = Client()
    client.force_login(cast.admin)
    for page in PAGES:
        assert client.get(reverse(page)).status_code == 200, page


def test_an_admin_write_without_a_csrf_token_is_refused(cast: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.admin)
    response = client.post(reverse("admin:cases_municipality_add"), {"name": "Ny Kommune"})
    assert response.status_code == 403
    from cases.models import Municipality

    assert not Municipality.objects.filter(name="Ny Kommune").exists()
