"""The desk's models, moved here from the tickets app with their tables and rows.

State only (`SeparateDatabaseAndState`): tickets/migrations/0004 dropped them from the tickets
app's state, and the tables keep their `tickets_*` names (`db_table`). The content types and
permissions of the old models are renamed to this app, so admin permissions keep working.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["cannedresponse", "replydraft", "savedview", "ticketpresence"]


def content_types_to_desk(apps, schema_editor):
    """Move `tickets.<model>` content types (and so their permissions) to `desk.<model>`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(db)
        .filter(app_label="desk", model__in=MODELS)
        .values_list("model", flat=True)
    )
    ContentType.objects.using(db).filter(app_label="tickets", model__in=MODELS).exclude(
        model__in=taken
    ).update(app_label="desk")


def content_types_to_tickets(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(db)
        .filter(app_label="tickets", model__in=MODELS)
        .values_list("model", flat=True)
    )
    ContentType.objects.using(db).filter(app_label="desk", model__in=MODELS).exclude(
        model__in=taken
    ).update(app_label="tickets")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tickets", "0004_desk_models_to_desk_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CannedResponse',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('title', models.CharField(max_length=120)),
                        ('shortcut', models.SlugField(blank=True, help_text='Type it in the canned-response search to find it.', max_length=40)),
                        ('content', models.TextField(help_text='Markdown. Placeholders: {{requester.name}}, {{requester.first_name}}, {{requester.email}}, {{ticket.number}}, {{ticket.subject}}, {{ticket.status}}, {{agent.name}}, {{agent.first_name}}, {{company.name}}.')),
                        ('is_active', models.BooleanField(default=True)),
                        ('usage_count', models.PositiveIntegerField(default=0, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('category', models.ForeignKey(blank=True, help_text='Listed first on tickets of this category.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='canned_responses', to='tickets.category')),
                        ('owner', models.ForeignKey(blank=True, help_text='Empty: shared with the whole team. Set: only this agent sees it.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='desk_canned_responses', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'tickets_cannedresponse',
                        'ordering': ['title'],
                        'indexes': [models.Index(fields=['is_active', 'title'], name='canned_active_title_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='ReplyDraft',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content', models.TextField(blank=True)),
                        ('is_internal', models.BooleanField(default=False)),
                        ('status_after', models.CharField(blank=True, max_length=24)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'tickets_replydraft',
                        'constraints': [models.UniqueConstraint(fields=('ticket', 'user'), name='replydraft_ticket_user_uniq')],
                    },
                ),
                migrations.CreateModel(
                    name='SavedView',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('name', models.CharField(max_length=80)),
                        ('is_shared', models.BooleanField(default=False, help_text="Shared views appear in every staff member's sidebar.")),
                        ('filters', models.JSONField(blank=True, default=dict, help_text='Normalized queue filters (see desk.queues).')),
                        ('ordering', models.CharField(blank=True, max_length=32)),
                        ('position', models.PositiveSmallIntegerField(default=100)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='desk_saved_views', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'tickets_savedview',
                        'ordering': ['position', 'name'],
                        'indexes': [models.Index(fields=['is_shared'], name='savedview_shared_idx')],
                        'constraints': [models.UniqueConstraint(fields=('owner', 'name'), name='savedview_owner_name_uniq')],
                    },
                ),
                migrations.CreateModel(
                    name='TicketPresence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('state', models.CharField(choices=[('VIEWING', 'viewing'), ('TYPING', 'typing')], default='VIEWING', max_length=8)),
                        ('expires_at', models.DateTimeField()),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'tickets_ticketpresence',
                        'indexes': [models.Index(fields=['ticket', 'expires_at'], name='presence_ticket_exp_idx')],
                        'constraints': [models.UniqueConstraint(fields=('ticket', 'user'), name='presence_ticket_user_uniq')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_desk, content_types_to_tickets),
    ]
