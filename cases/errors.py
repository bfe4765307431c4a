"""Why a transition was refused, in words a person can act on.

Each error carries an HTTP-like status so the screens and the API map them the
same way: 403 not allowed, 409 not possible now, 400 bad input or unmet condition.
"""

from __future__ import annotations

from django.utils.functional import Promise


class TransitionError(Exception):
    status_code = 400

    def __init__(self, message: str | Promise) -> None:
        self.message = str(message)
        super().__init__(self.message)


class TransitionNotPermitted(TransitionError):
    status_code = 403


class TransitionNotPossible(TransitionError):
    status_code = 409


class CaseMovedOn(TransitionNotPossible):
    """Someone else moved the case between the user loading it and acting on it."""


class ConditionsUnmet(TransitionError):
    status_code = 400


class InvalidInput(TransitionError):
    status_code = 400

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        first = next(iter(self.errors.values()))[0] if self.errors else ""
        super().__init__(first)
