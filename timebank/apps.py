from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "timebank"
    verbose_name = "Time bank and time credits"

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from timebank.personal_data import erase, export

        register_personal_data("time_bank", exporter=export, eraser=erase)
