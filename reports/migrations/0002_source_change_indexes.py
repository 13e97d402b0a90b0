from django.db import migrations


class Migration(migrations.Migration):
    """The analytics job asks which SLA rows changed since its last pass; sla's own indexes
    serve the monitor (partial, on due instants), so the change scan needs this one. Owned
    here because only the reports read SLA rows by change time."""

    dependencies = [
        ("reports", "0001_initial"),
        ("sla", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reports_ticketsla_updated_idx "
            "ON sla_ticketsla (updated_at)",
            "DROP INDEX IF EXISTS reports_ticketsla_updated_idx",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reports_rating_updated_idx "
            "ON tickets_satisfactionrating (updated_at)",
            "DROP INDEX IF EXISTS reports_rating_updated_idx",
        ),
    ]
