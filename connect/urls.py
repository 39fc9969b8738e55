from typing import Any

app_name = "connect"
urlpatterns: list[Any] = []
