from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .append_only import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)
