from django.urls import path

from befriending import views

app_name = "befriending"
urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("volunteer/", views.volunteer_apply, name="volunteer-apply"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("coordinate/refer/", views.refer, name="refer"),
    path("volunteers/<int:pk>/", views.volunteer, name="volunteer"),
    path("requests/<int:pk>/", views.request_page, name="request"),
    path("matches/<int:pk>/", views.match, name="match"),
    path("matches/<int:pk>/end/", views.end, name="end"),
    path("concerns/<int:pk>/read/", views.concern_read, name="concern-read"),
    path("groups/new/", views.group_new, name="group-new"),
    path("groups/<int:pk>/", views.group, name="group"),
]
