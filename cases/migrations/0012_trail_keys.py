"""The keyed chain: each record names its HMAC key and carries the case's state.

Existing records get key_id "" (the unkeyed SHA-256 they were made with) and an
empty state; they verify as before, and new records chain on from them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_transition_record_moved'),
    ]

    operations = [
        migrations.AddField(
            model_name='transitionrecord',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=40),
        ),
        migrations.AddField(
            model_name='transitionrecord',
            name='state',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
