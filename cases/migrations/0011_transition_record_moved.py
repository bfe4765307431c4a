"""The transition record moves from the workflows app into cases/trail/.

State only: the table (``workflows_transitionrecord``), its rows, its indexes and its
PostgreSQL append-only trigger stay exactly as they were. workflows 0004 removes the
model from the workflows app's state after this one has added it here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_municipality_two_factor'),
        ('workflows', '0003_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='TransitionRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField(help_text='1, 2, 3 … per application')),
                ('flow', models.CharField(max_length=50)),
                ('transition', models.CharField(max_length=50)),
                ('from_state', models.CharField(max_length=30)),
                ('to_state', models.CharField(max_length=30)),
                ('actor_name', models.CharField(max_length=300)),
                ('role', models.CharField(max_length=30)),
                ('created_at', models.DateTimeField()),
                ('reason', models.TextField(blank=True)),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('prev_hash', models.CharField(max_length=64)),
                ('hash', models.CharField(max_length=64, unique=True)),
                ('actor', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transition_records', to='cases.application')),
            ],
            options={
                'verbose_name': 'transition record',
                'verbose_name_plural': 'transition records',
                'db_table': 'workflows_transitionrecord',
                'ordering': ['application_id', 'seq'],
                'constraints': [models.UniqueConstraint(fields=('application', 'seq'), name='unique_record_seq')],
            },
        ),
                ],
        ),
    ]
