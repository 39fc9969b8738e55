"""Session pages: the timeout warning's "Stay signed in", and sending what was kept when a session
ended. Kept apart from accounts/urls.py (included from wellbeing_hub/urls.py)."""

from django.urls import path

from accounts import views

app_name = "session"
urlpatterns = [
    path("extend/", views.extend_session, name="extend"),
    path("continue/<str:token>/", views.continue_after_sign_in, name="continue"),
]
