from django.apps import AppConfig


class SharedLivesConfig(AppConfig):
    name = "sharedlives"
    verbose_name = "Shared Lives"

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from sharedlives.personal_data import erase, export

        register_personal_data("sharedlives", exporter=export, eraser=erase)
