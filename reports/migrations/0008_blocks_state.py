# Split from 0007 so that the newest reports migration is plain AddFields: the migration-replay
# test (tests/core/test_migration_replay.py) takes schemas back before it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0007_summary_blocks'),
    ]

    operations = [
        migrations.AddField(
            model_name='rollupstate',
            name='blocks_cursor',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='rollupstate',
            name='blocks_ready',
            field=models.BooleanField(default=False),
        ),
    ]
