from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Puljeflow API"

    def ready(self) -> None:
        # Registers the token and session schemes with drf-spectacular.
        from . import schema  # noqa: F401
