from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Self-directed support"

    def ready(self) -> None:
        from budgets import personal_data

        personal_data.register()
