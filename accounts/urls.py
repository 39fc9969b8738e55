from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("create-account/", views.register, name="register"),
    path("", views.home, name="home"),
    path("your-data/", views.download_my_data, name="download-data"),
]
