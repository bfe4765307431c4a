"""PostgreSQL: refuse UPDATE and DELETE on the transition records and the history tables."""

from django.db import migrations


def install(apps, schema_editor):
    from cases.trail.append_only import install

    install(schema_editor.connection, apps.get_models(include_auto_created=True))


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0002_history_actor_ids"),
        ("cases", "0006_history_actor_ids"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
