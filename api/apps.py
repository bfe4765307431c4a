from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Puljeflow API"

    def ready(self) -> None:
        # schema: registers the token and session schemes with drf-spectacular;
        # signals: revokes a user's tokens with their password or their account.
        from . import schema, signals  # noqa: F401
