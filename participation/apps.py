from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = "Participatory budgeting and prioritisation"

    def ready(self) -> None:
        from participation import personal_data

        personal_data.register()
