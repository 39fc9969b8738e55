from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes people score"

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from outcomes.personal_data import erase, export

        register_personal_data("outcomes", exporter=export, eraser=erase)
