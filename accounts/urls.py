from django.urls import path

from accounts import home, notification_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("create-account/", views.register, name="register"),
    path("", home.home, name="home"),  # staff: what needs doing; residents: views.home
    path("your-data/", views.download_my_data, name="download-data"),
    path("email-notifications/", notification_views.preferences, name="notifications"),
    path(
        "email-notifications/stop/<str:token>/",
        notification_views.unsubscribe,
        name="unsubscribe",
    ),
]
