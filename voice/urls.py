from django.urls import path

from voice import views

app_name = "voice"
urlpatterns = [
    path("", views.home, name="home"),
    path("give/", views.start, name="start"),
    path("give/<slug:step>/", views.give, name="give"),
    path("thank-you/<str:reference>/", views.thanks, name="thanks"),
    path("about/service/<path:service_id>/", views.service_stories, name="service-stories"),
    path("about/team/<slug:slug>/", views.team_stories, name="team-stories"),
    path("stories/<str:reference>/", views.story, name="story"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<str:reference>/", views.moderate, name="moderate"),
    path("respond/", views.responder_home, name="responder"),
    path("respond/<str:reference>/", views.respond, name="respond"),
    path("yours/", views.yours, name="yours"),
    path("changes/<int:pk>/confirm/", views.confirm_change, name="confirm-change"),
    path("changes/<int:pk>/verify/", views.verify_change, name="verify-change"),
    path("changes/", views.board, name="board"),
    path("overdue/", views.overdue, name="overdue"),
    path("open-data/stories.json", views.open_data_json, name="open-data-json"),
    path("open-data/stories.csv", views.open_data_csv, name="open-data-csv"),
    path("statistics/", views.statistics, name="statistics"),
    path("checks/", views.checks_home, name="checks"),
    path("checks/plan/", views.plan_check, name="check-plan"),
    path("checks/experts/", views.expert_register, name="check-experts"),
    path("checks/<str:reference>/", views.check_report, name="check"),
    path("checks/<str:reference>/manage/", views.manage_check, name="check-manage"),
    path("checks/<str:reference>/score/", views.score_check, name="check-score"),
    path("checks/<str:reference>/self-assessment/", views.self_assess_check, name="check-self"),
    path("checks/<str:reference>/respond/", views.respond_check, name="check-respond"),
    path("coproduction/", views.coproduction_home, name="coproduction"),
    path("coproduction/new/", views.coproduction_new, name="coproduction-new"),
    path(
        "coproduction/<slug:subject_key>/",
        views.coproduction_history,
        name="coproduction-history",
    ),
    path("open-data/checks.json", views.open_checks_json, name="open-checks-json"),
    path("open-data/checks.csv", views.open_checks_csv, name="open-checks-csv"),
]
