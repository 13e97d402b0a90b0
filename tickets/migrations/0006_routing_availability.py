# Agent availability for routing (status, capacity, skills, working hours, absences) and the
# ticket's language and routing reason.

import django.contrib.postgres.fields
import django.core.validators
from django.db import migrations, models


def status_from_is_available(apps, schema_editor):
    AgentProfile = apps.get_model("tickets", "AgentProfile")
    AgentProfile.objects.filter(is_available=True).update(status="online")
    AgentProfile.objects.filter(is_available=False).update(status="offline")


def is_available_from_status(apps, schema_editor):
    AgentProfile = apps.get_model("tickets", "AgentProfile")
    AgentProfile.objects.filter(status="online").update(is_available=True)
    AgentProfile.objects.exclude(status="online").update(is_available=False)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_staff_notice_kind"),
    ]

    operations = [
        migrations.RenameField(
            model_name="agentprofile", old_name="max_open_tickets", new_name="capacity"
        ),
        migrations.AlterField(
            model_name="agentprofile",
            name="capacity",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Most open tickets routing gives the agent; 0 = no limit.",
                validators=[django.core.validators.MinValueValidator(0)],
            ),
        ),
        migrations.AddField(
            model_name="agentprofile",
            name="status",
            field=models.CharField(
                choices=[("online", "Online"), ("away", "Away"), ("offline", "Offline")],
                default="offline",
                max_length=8,
            ),
        ),
        migrations.RunPython(status_from_is_available, is_available_from_status),
        migrations.RemoveField(model_name="agentprofile", name="is_available"),
        migrations.AddField(
            model_name="agentprofile",
            name="status_changed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="agentprofile",
            name="skills",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=50), blank=True, default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="agentprofile",
            name="working_hours",
            field=models.JSONField(
                blank=True,
                help_text="As an SLA profile's business hours; empty = any time.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="agentprofile",
            name="out_of_office",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddIndex(
            model_name="agentprofile",
            index=models.Index(fields=["status"], name="agentprofile_status_idx"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="language",
            field=models.CharField(
                blank=True,
                help_text="A LANGUAGES code, detected or preferred.",
                max_length=10,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="routing_reason",
            field=models.TextField(
                blank=True, help_text="Why routing assigned the ticket (or could not).", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("assignee__isnull", False),
                    ("status__in", ("OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD")),
                ),
                fields=["assignee"],
                include=("priority",),
                name="ticket_open_load_idx",
            ),
        ),
    ]
