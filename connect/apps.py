from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = "Connecting people"

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from connect.personal_data import erase, export

        register_personal_data("connect", exporter=export, eraser=erase)
