from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "panel1.accounts"
    label = "accounts"
    verbose_name = "Users"
