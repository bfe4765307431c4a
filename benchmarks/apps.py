from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Only for ``manage.py generate_load``; no models, nothing imports it."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
