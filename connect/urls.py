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
    path("onward/<int:onward_id>/attended/", views.attended, name="attended"),
    path("refer/", views.refer, name="refer"),
    path("refer/yourself/", views.refer_self, name="refer_self"),
    path("sent/", views.sent, name="sent"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("referrals/<uuid:referral_id>/onward/", views.onward_new, name="onward_new"),
    path("referrals/<uuid:referral_id>/funding/", views.funding, name="funding"),
    path("referrals/<uuid:referral_id>/wellbeing/<str:stage>/", views.wellbeing, name="wellbeing"),
    path("services/", views.terms_list, name="terms"),
    path("services/<str:service_id>/", views.terms_edit, name="terms_edit"),
    path("reports/", views.reports, name="reports"),
]
