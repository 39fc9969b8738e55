from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory and marketplace"

    def ready(self) -> None:
        from directory import personal_data

        personal_data.register()
