"""The desk's models moved to the `desk` app (desk/migrations/0001_initial.py).

State only: the tables stay where they are, under their names, with their rows; the desk app
takes them over in its first migration, which depends on this one.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_desk"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CannedResponse"),
                migrations.DeleteModel(name="ReplyDraft"),
                migrations.DeleteModel(name="SavedView"),
                migrations.DeleteModel(name="TicketPresence"),
            ],
            database_operations=[],
        ),
    ]
