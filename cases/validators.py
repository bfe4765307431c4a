from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def cvr_is_valid(value: str) -> bool:
    """Eight digits, not starting with 0, weighted sum divisible by 11 (modulus-11)."""
    if not re.fullmatch(r"[1-9]\d{7}", value or ""):
        return False
    return sum(int(d) * w for d, w in zip(value, CVR_WEIGHTS, strict=True)) % 11 == 0


def validate_cvr(value: str) -> None:
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ValidationError(_("A CVR number has exactly 8 digits."), code="cvr_format")
    if not cvr_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid CVR number (the check digit does not match)."),
            code="cvr_checksum",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    if not re.fullmatch(r"\+?[\d ]{8,15}", value or ""):
        raise ValidationError(
            _("Enter a phone number of 8 digits, optionally with a country code."),
            code="phone",
        )


def validate_bank_registration(value: str) -> None:
    if not re.fullmatch(r"\d{4}", value or ""):
        raise ValidationError(_("A registration number has exactly 4 digits."), code="bank_reg")


def validate_bank_account(value: str) -> None:
    if not re.fullmatch(r"\d{1,10}", value or ""):
        raise ValidationError(_("An account number has at most 10 digits."), code="bank_account")


def validate_iban(value: str) -> None:
    """Two letters, two check digits and the account, checked by ISO 13616's modulus 97."""
    compact = (value or "").replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        raise ValidationError(_("Enter an IBAN, e.g. DK50 0040 0440 1162 43."), code="iban")
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    if int(digits) % 97 != 1:
        raise ValidationError(
            _("%(value)s is not a valid IBAN (the check digits do not match)."),
            code="iban_checksum",
            params={"value": value},
        )


# --- the public pages' address (issue 18) ---

_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def public_slug_of(name: str) -> str:
    """A municipality's name as the first part of its public pages' address:
    "Næstved" -> "naestved", "Høje-Taastrup Kommune" -> "hoeje-taastrup-kommune"."""
    from django.utils.text import slugify

    return slugify((name or "").lower().translate(_DANISH_LETTERS))[:60].strip("-")


def reserved_first_segments() -> set[str]:
    """The first path segment of every URL of the site other than the public pages, read
    from the URL resolver now (so a new area cannot be shadowed by a municipality's pages).
    """
    from django.urls import URLPattern, URLResolver, get_resolver

    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + _route_text(pattern)
            if route.startswith("<"):  # the public pages themselves (/<slug>/…)
                continue
            head = route.split("/", 1)[0]
            if head and "/" in route:
                found.add(head.lower())
            elif isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and head:
                found.add(re.split(r"[.<]", head, maxsplit=1)[0].lower())

    walk(get_resolver().url_patterns, "")
    return {segment for segment in found if segment}


def _route_text(pattern: Any) -> str:
    """A pattern's path as plain text: "applications/" or, from a regex, "static/"."""
    text = str(pattern.pattern)
    if text.startswith("^"):
        text = re.sub(r"\(\?P<[^>]+>[^)]*\)|[\^$\\]", "", text)
        text = re.sub(r"[.*+?()\[\]].*", "", text)
    return text


def validate_public_slug(value: str) -> None:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value or ""):
        raise ValidationError(
            _("Use lower-case letters a–z, digits and hyphens, e.g. »naestved«."),
            code="slug",
        )
    if value in reserved_first_segments():
        raise ValidationError(
            _("»%(value)s« is already the start of another address of the site; choose another."),
            code="slug_reserved",
            params={"value": value},
        )
