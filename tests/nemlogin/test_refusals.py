"""Each refusal of a NemLog-in answer: a clear Danish page (403), a line on puljeflow.security,
and nobody signed in. The answers come from the real local IdP, spoiled in one way each."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accounts.models import ExternalIdentity
from accounts.nemlogin import attributes
from tests.idp.saml_idp import OTHER_SP
from tests.nemlogin.conftest import idp_answer, sign_in, start_login

pytestmark = pytest.mark.django_db


def _refused(response: Any, reason: str, caplog: Any, client: Any) -> None:
    assert response.status_code == 403
    assert f'data-reason="{reason}"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any(
        "refused_nemlogin" in r.getMessage() and f"reason={reason}" in r.getMessage()
        for r in caplog.records
        if r.name == "puljeflow.security"
    )


def test_it_refuses_an_answer_whose_signed_assertion_was_changed(
    client: Any, saml_idp: Any, caplog: Any
) -> None:
    saml_idp.knobs.tamper = True
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = sign_in(client, saml_idp)
    _refused(response, "signature", caplog, client)
    assert "signaturen passer ikke" in response.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_it_refuses_an_expired_assertion(client: Any, saml_idp: Any, caplog: Any) -> None:
    authn_url = start_login(client)
    # The IdP answers as if an hour ago: its assertion was valid for five minutes then.
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=1), tick=True):
        _action, fields = idp_answer(saml_idp, authn_url)
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = client.post("/saml/acs/", fields)
    _refused(response, "expired", caplog, client)


def test_it_refuses_an_assertion_meant_for_another_service(
    client: Any, saml_idp: Any, caplog: Any
) -> None:
    saml_idp.knobs.audience = OTHER_SP
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = sign_in(client, saml_idp)
    _refused(response, "audience", caplog, client)


def test_it_refuses_an_assertion_without_a_cvr_number(
    client: Any, saml_idp: Any, caplog: Any
) -> None:
    saml_idp.knobs.omit = {attributes.CVR}
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = sign_in(client, saml_idp)
    _refused(response, "missing_cvr", caplog, client)
    assert not ExternalIdentity.objects.exists()


def test_it_refuses_a_level_of_assurance_below_the_required_one(
    client: Any, saml_idp: Any, caplog: Any, settings: Any
) -> None:
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = sign_in(client, saml_idp, loa="Low")
    _refused(response, "loa", caplog, client)
    assert "(Substantial)" in response.content.decode()
    # The same person at the required level is let in: the refusal came from the level.
    assert sign_in(client, saml_idp, loa="Substantial").status_code == 302
    assert "_auth_user_id" in client.session


def test_a_higher_requirement_refuses_substantial(
    client: Any, saml_idp: Any, caplog: Any, settings: Any
) -> None:
    settings.PULJEFLOW_NEMLOGIN_LOA = "High"
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = sign_in(client, saml_idp, loa="Substantial")
    _refused(response, "loa", caplog, client)


def test_it_refuses_the_same_answer_posted_twice(client: Any, saml_idp: Any, caplog: Any) -> None:
    first = sign_in(client, saml_idp)
    assert first.status_code == 302
    client.logout()
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        again = client.post("/saml/acs/", first.saml_fields)
    # pysaml2 no longer knows the request it answered (djangosaml2's outstanding queries).
    _refused(again, "replayed", caplog, client)


def test_it_refuses_an_assertion_replayed_into_a_session_that_still_waits_for_it(
    client: Any, saml_idp: Any, caplog: Any, django_user_model: Any
) -> None:
    """The second guard: even where pysaml2 would accept the answer (a copy of the browser's
    state before it was used), the assertion's id is refused the second time."""
    _action, fields = idp_answer(saml_idp, start_login(client))
    saml_cookie = client.cookies["puljeflow_saml"].value
    copy = SessionStore()
    copy.update(SessionStore(session_key=saml_cookie).load())
    copy.create()
    assert client.post("/saml/acs/", fields).status_code == 302
    users = django_user_model.objects.count()

    other = type(client)()
    other.cookies["puljeflow_saml"] = copy.session_key
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        again = other.post("/saml/acs/", fields)
    _refused(again, "replayed", caplog, other)
    assert django_user_model.objects.count() == users


def test_an_answer_nobody_asked_for_is_refused(client: Any, saml_idp: Any, caplog: Any) -> None:
    _action, fields = idp_answer(saml_idp, start_login(client))
    stranger = type(client)()  # another browser: it never sent that request
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = stranger.post("/saml/acs/", fields)
    _refused(response, "replayed", caplog, stranger)
