from typing import Any

app_name = "voice"
urlpatterns: list[Any] = []
