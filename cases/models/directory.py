"""The public directory of associations (issue 20, item 4): an association's own listing in a
municipality's ``foreningsoversigt``, opt-in and withdrawable (docs/directory.md).

The entry holds only what the association types for the public: what it does, for whom,
where, whether it seeks volunteers, a website, and — only if it types them — a contact
e-mail and phone. The association's name comes from ``Association.name``; its contact
person, e-mail, phone and address are never published.

Target groups are the fixed categories of ``TargetGroupCode`` (the ones applications use),
so that the directory can be filtered the same way in every year. Focus areas are by
*name*: the names of the municipality's focus areas (``FocusArea`` rows belong to a round
and change each year; a name chosen for the directory stays when the round is closed).

Every change, publishing and withdrawing among them, is a history row (simple-history,
with the acting user): the audit of who published and withdrew what, and when.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import limits
from cases.models.municipalities import Association, Municipality
from cases.models.rounds import TargetGroup
from cases.trail.history import AuditedManager, audited_history
from cases.validators import validate_phone


class DirectoryEntry(models.Model):
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="directory_entries",
        verbose_name=_("association"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="directory_entries",
        verbose_name=_("municipality"),
    )
    description = models.TextField(
        _("what the association does"),
        max_length=limits.TEXT,
        help_text=_("What you do and for whom, in a few sentences a citizen understands."),
    )
    target_groups = models.ManyToManyField(
        TargetGroup,
        blank=True,
        related_name="directory_entries",
        verbose_name=_("target groups"),
    )
    whole_municipality = models.BooleanField(_("in the whole municipality"), default=True)
    area = models.CharField(
        _("where"),
        max_length=limits.SHORT_TEXT,
        blank=True,
        help_text=_("The postal district or area, e.g. »4000 Roskilde« or »Musicon«."),
    )
    seeks_volunteers = models.BooleanField(_("seeks volunteers"), default=False)
    volunteers_text = models.TextField(
        _("about the volunteers you seek"),
        max_length=limits.TEXT,
        blank=True,
        help_text=_("What a volunteer would do with you, and how to get in touch."),
    )
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("public contact e-mail"), blank=True)
    contact_phone = models.CharField(
        _("public contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = AuditedManager()
    history = audited_history(m2m_fields=[target_groups])

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "municipality"], name="unique_directory_entry"
            )
        ]
        indexes = [models.Index(fields=["municipality", "published"], name="directory_listed")]

    def __str__(self) -> str:
        return f"{self.association} – {self.municipality}"


class DirectoryFocusArea(models.Model):
    """One focus area an entry names, by name (see the module's text)."""

    entry = models.ForeignKey(
        DirectoryEntry,
        on_delete=models.CASCADE,
        related_name="focus_areas",
        verbose_name=_("directory entry"),
    )
    name = models.CharField(_("focus area"), max_length=150)

    objects = AuditedManager()
    history = audited_history()

    class Meta:
        verbose_name = _("focus area in the directory")
        verbose_name_plural = _("focus areas in the directory")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "name"], name="unique_directory_focus_area")
        ]

    def __str__(self) -> str:
        return self.name
