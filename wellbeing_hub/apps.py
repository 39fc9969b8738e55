from django.apps import AppConfig


class WellbeingHubConfig(AppConfig):
    name = "wellbeing_hub"
    verbose_name = "Wellbeing Hub"
