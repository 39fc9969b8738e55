from django.urls import path

from sharedlives import views

app_name = "sharedlives"
urlpatterns = [
    path("", views.home, name="home"),
    path("carers/new/", views.carer_new, name="carer_new"),
    path("carers/<int:carer_id>/", views.carer, name="carer"),
    path("carers/<int:carer_id>/edit/", views.carer_edit, name="carer_edit"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("referrals/<int:referral_id>/edit/", views.referral_edit, name="referral_edit"),
    path("referrals/<int:referral_id>/shortlist/", views.shortlist, name="shortlist"),
    path("matches/<int:match_id>/", views.match, name="match"),
    path("matches/<int:match_id>/answer/", views.answer, name="answer"),
    path("matches/<int:match_id>/end/", views.end, name="end"),
    path("mine/", views.mine, name="mine"),
    path("my-household/", views.carer_home, name="carer_home"),
]
