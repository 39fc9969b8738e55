from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Self-directed support"

    def ready(self) -> None:
        from budgets import checks, personal_data  # noqa: F401 - checks registers itself

        personal_data.register()
