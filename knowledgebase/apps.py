from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledgebase"
    default_auto_field = "django.db.models.BigAutoField"
