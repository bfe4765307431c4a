"""Issue 20 (flows): a round names the flow its applications follow.

A round decided by the administration (akutpulje) follows the quick pool's flow, every
other round the council and committee's. ``decided_by_administration`` stays, as a column
derived from the flow on save (an upgrade keeps every column and its values). The history
rows (simple-history) are carried over the same way.
"""

from django.db import migrations, models


def to_flow(apps, schema_editor):
    for model in ("GrantRound", "HistoricalGrantRound"):
        rows = apps.get_model("cases", model).objects
        rows.filter(decided_by_administration=True).update(flow="quick_pool")


FLOW = dict(
    verbose_name="flow",
    max_length=40,
    default="application",
    help_text="How the round's applications are screened and decided.",
)


DERIVED = dict(
    default=False,
    editable=False,
    help_text="Derived from the flow: the case officer decides, no committee.",
    verbose_name="decided by the administration",
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0034_voice"),
    ]

    operations = [
        migrations.AddField(model_name="grantround", name="flow", field=models.CharField(**FLOW)),
        migrations.AddField(
            model_name="historicalgrantround", name="flow", field=models.CharField(**FLOW)
        ),
        migrations.RunPython(to_flow, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="grantround",
            name="decided_by_administration",
            field=models.BooleanField(**DERIVED),
        ),
        migrations.AlterField(
            model_name="historicalgrantround",
            name="decided_by_administration",
            field=models.BooleanField(**DERIVED),
        ),
    ]
