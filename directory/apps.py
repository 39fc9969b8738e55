from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory and marketplace"

    def ready(self) -> None:
        from directory import enquiry_routing, personal_data, search_index

        personal_data.register()
        search_index.connect()
        enquiry_routing.connect()
