from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def ensure_target_groups(using: str = "default", **kwargs: Any) -> None:
    """The target-group categories exist after every migrate, and after every flush.

    Migration 0009 creates them; a flush (``manage.py flush``, a transactional test)
    empties the table and then sends post_migrate, as it does for content types.
    """
    from cases.models import TargetGroup, TargetGroupCode

    existing = set(TargetGroup.objects.using(using).values_list("code", flat=True))
    for code in TargetGroupCode.values:
        if code not in existing:
            TargetGroup.objects.using(using).create(code=code)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import cases.services.directory  # its receiver (issue 20: directory)
        import cases.services.publication  # noqa: F401  (its receivers; issue 18: public)
        from cases.trail import checks
        from cases.trail.append_only import install_after_migrate
        from config.celery import ensure_broker_folders

        checks.register()
        ensure_broker_folders()
        # Every history table a later migration adds is made append-only too, and the
        # database roles' privileges are (re)applied to the tables that exist.
        post_migrate.connect(install_after_migrate, sender=self)
        post_migrate.connect(ensure_target_groups, sender=self)
        # Issue 18: the case and its documents to the journal (cases/handover/signals.py).
        from cases.handover import signals as handover_signals

        handover_signals.connect()
