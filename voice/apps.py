from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "People's voice"

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from voice.personal_data import erase, export

        register_personal_data("voice", exporter=export, eraser=erase)
