from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        from cases.trail.timeline import register_labels
        from workflows import engine  # noqa: F401  (registers the flows and their paths)
        from workflows.labels import done_labels

        # The trail shows each recorded transition by its label; the domain does not
        # import the flows, so they register here.
        register_labels(done_labels)
