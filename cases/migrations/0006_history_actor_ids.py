"""History rows keep the acting user's id as a plain integer and the name they had then.

The column ``history_user_id`` stays where it is, with its values: on the database
only the foreign-key constraint is dropped (deleting a user must never update a
history row); in Django's state the field becomes an IntegerField.
"""

from django.conf import settings
from django.db import migrations, models

HISTORY = [
    "historicalagendaitem",
    "historicalapplication",
    "historicalassessment",
    "historicalassociation",
    "historicalassociationmember",
    "historicalattachment",
    "historicalbudgetline",
    "historicalconflictdeclaration",
    "historicaldocument",
    "historicalfocusarea",
    "historicalgrantround",
    "historicalmeeting",
    "historicalmunicipality",
    "historicalpayout",
    "historicalstaffrole",
    "historicalusagereport",
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_municipality_state_target"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name=name,
                    name="history_user",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=models.DO_NOTHING,
                        db_constraint=False,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                )
                for name in HISTORY
            ],
            state_operations=[
                *[migrations.RemoveField(model_name=name, name="history_user") for name in HISTORY],
                *[
                    migrations.AddField(
                        model_name=name,
                        name="history_user_id",
                        field=models.IntegerField(blank=True, db_index=True, null=True),
                    )
                    for name in HISTORY
                ],
            ],
        ),
        *[
            migrations.AddField(
                model_name=name,
                name="history_user_name",
                field=models.CharField(blank=True, max_length=300),
            )
            for name in HISTORY
        ],
    ]
