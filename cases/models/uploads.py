"""What every stored upload keeps about itself (application and usage-report attachments)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredUpload(models.Model):
    """The original name is kept only as data; the stored name is ours (each ``upload_to``).

    Subclasses declare ``file`` with their own ``upload_to``; ``cases.uploads`` checks a file
    before it is stored and serves it with ``stored_upload_response``.
    """

    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name
