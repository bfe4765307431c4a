"""State only: the transition record now belongs to the cases app (cases 0011); its table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0003_append_only'),
        ('cases', '0011_transition_record_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='TransitionRecord')],
        ),
    ]
