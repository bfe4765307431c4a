"""Issue 20 (flows): a round names the flow its applications follow.

``flow`` replaces ``decided_by_administration``: a round decided by the administration
(akutpulje) follows the quick pool's flow, every other round the council and committee's.
The history rows (simple-history) are carried over the same way.
"""

from django.db import migrations, models


def to_flow(apps, schema_editor):
    for model in ("GrantRound", "HistoricalGrantRound"):
        rows = apps.get_model("cases", model).objects
        rows.filter(decided_by_administration=True).update(flow="quick_pool")


def to_flag(apps, schema_editor):
    for model in ("GrantRound", "HistoricalGrantRound"):
        rows = apps.get_model("cases", model).objects
        rows.filter(flow="quick_pool").update(decided_by_administration=True)


FLOW = dict(
    verbose_name="flow",
    max_length=40,
    default="application",
    help_text="How the round's applications are screened and decided.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0032_sweep"),
    ]

    operations = [
        migrations.AddField(model_name="grantround", name="flow", field=models.CharField(**FLOW)),
        migrations.AddField(
            model_name="historicalgrantround", name="flow", field=models.CharField(**FLOW)
        ),
        migrations.RunPython(to_flow, to_flag),
        migrations.RemoveField(model_name="grantround", name="decided_by_administration"),
        migrations.RemoveField(model_name="historicalgrantround", name="decided_by_administration"),
    ]
