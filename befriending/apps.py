from django.apps import AppConfig


class BefriendingConfig(AppConfig):
    name = "befriending"
    verbose_name = "Befriending and peer support"
