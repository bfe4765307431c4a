"""Factories for the domain; tests build their world from these and the cast in conftest."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import (
    Application,
    Association,
    AssociationMember,
    Attachment,
    AttachmentKind,
    BudgetLine,
    FocusArea,
    GrantRound,
    Municipality,
    StaffRole,
)
from cases.validators import CVR_WEIGHTS

# A one-page PDF: the smallest a PDF reader (and the upload check) opens.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def valid_cvr(n: int) -> str:
    """The n-th valid CVR number from 10000000 upwards (deterministic)."""
    candidate = 10000000 + n * 100
    while True:
        digits = str(candidate)
        if sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS, strict=True)) % 11 == 0:
            return digits
        candidate += 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pw")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Kommune {n}")
    # Tests about two-factor login switch it on; the rest sign in with a password only.
    require_two_factor = False
    complaint_guidance = "Du kan klage til Ankestyrelsen inden 4 uger."


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Forening {n}")
    cvr = factory.Sequence(valid_cvr)
    address = "Byvej 1"
    postal_code = "4000"
    city = "Roskilde"
    contact_person = "Kontakt Person"
    email = "kontakt@example.org"
    phone = "12345678"


class GrantRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantRound

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"§ 18-puljen {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    pool_amount = Decimal("325000")
    report_deadline = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=400)
    )


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    round = factory.SubFactory(GrantRoundFactory)
    name = factory.Sequence(lambda n: f"Fokusområde {n}")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft: it can be submitted as it stands."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    round = factory.SubFactory(GrantRoundFactory)
    municipality = factory.LazyAttribute(lambda o: o.round.municipality)
    association = factory.SubFactory(AssociationFactory)
    case_number = factory.Sequence(lambda n: f"2026-{n + 1:04d}")
    title = "Lektiecafé for børn"
    purpose = "At hjælpe børn med lektier"
    target_group = "Børn 7-14 år"
    activity_description = "Ugentlig lektiecafé med frivillige"
    volunteers = 12
    members = 40
    participants = 60
    amount_requested = Decimal("25000.00")
    declaration_correct = True

    @factory.post_generation
    def complete(obj: Application, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        BudgetLine.objects.create(
            application=obj, description="Materialer", amount=Decimal("15000")
        )
        BudgetLine.objects.create(application=obj, description="Udflugt", amount=Decimal("10000"))
        uploader = UserFactory(username="uploader")
        for kind in obj.round.required_attachments:
            attachment = Attachment(
                application=obj,
                kind=kind,
                original_name=f"{kind}.pdf",
                size=len(PDF_BYTES),
                content_type="application/pdf",
                uploaded_by=uploader,
            )
            attachment.file.save(f"{kind}.pdf", ContentFile(PDF_BYTES), save=False)
            attachment.save()


def tie(
    user: Any, association: Association, *, represents: bool = True, board: bool = False
) -> None:
    AssociationMember.objects.update_or_create(
        user=user,
        association=association,
        defaults={"can_represent": represents, "is_board_member": board},
    )


def give_role(user: Any, municipality: Municipality, role: str) -> None:
    StaffRole.objects.get_or_create(user=user, municipality=municipality, role=role)


__all__ = ["AttachmentKind"]
