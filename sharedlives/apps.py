from django.apps import AppConfig


class SharedLivesConfig(AppConfig):
    name = "sharedlives"
    verbose_name = "Shared Lives"
