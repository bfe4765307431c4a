"""The vote on a recommendation or a decision taken at a meeting, and any minority statement.

``VoteInput`` is mixed into the forms of ``recommend`` and ``decide``: it checks what can
be checked without the meeting (numbers of 0 or more; unanimous has no votes against; a
minority statement needs a minority). ``vote_payload`` checks the rest against the
members present and not disqualified, and gives what the transition record keeps:
``payload["vote"]`` = {"for": n, "against": n, "abstaining": n, "unanimous": bool} and
``payload["minority"]`` = the statement (only when one was made).

Nothing entered means unanimous: the common case stays one click, on the screens and
in the API alike.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.errors import InvalidInput
from workflows.inputs import TransitionInput, text

VOTE_FIELDS = ("unanimous", "votes_for", "votes_against", "votes_abstaining", "minority")
COUNTS = ("votes_for", "votes_against", "votes_abstaining")
MAX_VOTES = 999


def _count(label: Any) -> forms.IntegerField:
    message = gettext_lazy("Enter a number of votes of 0 or more.")
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_VOTES,
        error_messages={"min_value": message, "invalid": message},
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )


class VoteInput(TransitionInput):
    """The vote fields of a transition taken at a meeting."""

    unanimous = forms.NullBooleanField(
        label=gettext_lazy("Vote"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "Unanimous: every member present who is not disqualified voted for it "
            "(abstentions may be entered). Otherwise enter the votes."
        ),
        widget=forms.RadioSelect(
            choices=[
                ("True", gettext_lazy("Unanimous")),
                ("False", gettext_lazy("Votes counted")),
            ]
        ),
    )
    votes_for = _count(gettext_lazy("Votes for"))
    votes_against = _count(gettext_lazy("Votes against"))
    votes_abstaining = _count(gettext_lazy("Abstaining"))
    minority = text(
        gettext_lazy("Minority statement"),
        rows=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minority"].help_text = gettext_lazy(
            "Optional. Who makes up the minority and what they want recorded in the minutes."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        counts = {name: data.get(name) for name in COUNTS}
        given = any(value is not None for value in counts.values())
        unanimous = data.get("unanimous")
        if unanimous is None:
            unanimous = not given
        data["unanimous"] = unanimous
        against = counts["votes_against"] or 0
        abstaining = counts["votes_abstaining"] or 0
        if unanimous and against:
            self.add_error(
                "votes_against",
                _("A unanimous decision has no votes against. Choose “Votes counted” instead."),
            )
        elif not unanimous and not given:
            self.add_error(
                "votes_for", _("Enter the votes for, against and abstaining, or choose unanimous.")
            )
        elif not unanimous and (counts["votes_for"] or 0) <= against:
            self.add_error(
                "votes_for",
                _("More members must vote for it than against it for it to be carried."),
            )
        if data.get("minority") and not against + abstaining:
            self.add_error(
                "minority",
                _(
                    "A minority statement needs a minority: enter the votes against or "
                    "the abstentions of those who make it."
                ),
            )
        return data


def vote_payload(quorum: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The vote as the transition record keeps it, checked against who could vote.

    ``quorum["present"]``: the members present who are not disqualified on the case
    (``permissions.meeting_quorum``); nobody else votes. Raises ``InvalidInput``.
    """
    voters = len(quorum["present"])
    against = values.get("votes_against") or 0
    abstaining = values.get("votes_abstaining") or 0
    unanimous = values.get("unanimous")
    if unanimous is None:
        unanimous = all(values.get(name) is None for name in COUNTS)
    in_favour = values.get("votes_for")
    if in_favour is None and unanimous:
        in_favour = max(voters - abstaining, 0)
    in_favour = in_favour or 0
    if in_favour <= against:
        raise InvalidInput(
            {
                "votes_for": [
                    _("More members must vote for it than against it for it to be carried.")
                ]
            }
        )
    total = in_favour + against + abstaining
    if total > voters:
        raise InvalidInput(
            {
                "votes_for": [
                    ngettext(
                        "%(total)s votes were entered, but only %(voters)s member who is not "
                        "disqualified is present.",
                        "%(total)s votes were entered, but only %(voters)s members who are not "
                        "disqualified are present.",
                        voters,
                    )
                    % {"total": total, "voters": voters}
                ]
            }
        )
    payload: dict[str, Any] = {
        "vote": {
            "for": in_favour,
            "against": against,
            "abstaining": abstaining,
            "unanimous": bool(unanimous),
        }
    }
    minority = values.get("minority") or ""
    if minority:
        payload["minority"] = minority
    return payload
