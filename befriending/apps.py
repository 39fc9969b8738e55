from django.apps import AppConfig


class BefriendingConfig(AppConfig):
    name = "befriending"
    verbose_name = "Befriending and peer support"

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from befriending.personal_data import erase, export

        register_personal_data("befriending", exporter=export, eraser=erase)
