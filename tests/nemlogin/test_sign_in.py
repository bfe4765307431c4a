"""Sign-in with MitID Erhverv through the local identity provider: the user, the association."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import ExternalIdentity, IdentityProvider
from cases.models import Association, AssociationMember
from tests.nemlogin.conftest import CVR_IN_FAKE, sign_in

pytestmark = pytest.mark.django_db


def test_a_new_person_with_an_unseen_cvr_gets_a_user_and_the_association_from_the_register(
    client: Any, saml_idp: Any
) -> None:
    response = sign_in(client, saml_idp, subject="urn:uuid:aaaa-1")
    # The register's fake has no phone number: the contact details come first.
    assert response.status_code == 302
    assert response["Location"].startswith("/nemlogin/contact/")
    identity = ExternalIdentity.objects.get(provider=IdentityProvider.NEMLOGIN)
    assert identity.subject == "urn:uuid:aaaa-1"
    assert identity.issuer == saml_idp.entity_id
    user = identity.user
    assert not user.has_usable_password()
    assert user.get_full_name() == "Karen Frivillig"
    assert user.username.startswith("nemlogin-")
    association = Association.objects.get(cvr=CVR_IN_FAKE)
    assert association.name == "Fiktiv Strikkecafé Himmelev (demo)"
    assert association.contact_person == "Karen Frivillig"
    assert association.email == "karen@example.org"
    assert AssociationMember.objects.filter(
        user=user, association=association, can_represent=True
    ).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
