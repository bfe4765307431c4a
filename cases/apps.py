from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.trail.append_only import install_after_migrate
        from config.celery import ensure_broker_folders

        ensure_broker_folders()
        # Every history table a later migration adds is made append-only too.
        post_migrate.connect(install_after_migrate, sender=self)
