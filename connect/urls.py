from django.urls import path

from connect import views

app_name = "connect"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("mine/", views.mine, name="mine"),
    path("referrals/<uuid:referral_id>/", views.referral, name="referral"),
    path("referrals/<uuid:referral_id>/summary.json", views.summary_json, name="summary_json"),
    path("referrals/<uuid:referral_id>/letter/", views.letter, name="letter"),
    path("referrals-in/", views.provider_inbox, name="provider_inbox"),
    path("onward/<int:onward_id>/withdraw/", views.withdraw, name="withdraw"),
]
