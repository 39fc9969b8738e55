from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.home, name="home"),
    path("people/<int:person_id>/", views.record, name="record"),
    path("people/<int:person_id>/measures/<slug:measure_id>/new/", views.answer, name="answer"),
    path("people/<int:person_id>/measures/<slug:measure_id>/", views.measure, name="measure"),
    path("people/<int:person_id>/goals/new/", views.goal_new, name="goal-new"),
    path("people/<int:person_id>/consent/", views.consent, name="consent"),
    path("people/<int:person_id>/family/", views.family, name="family"),
    path("people/<int:person_id>/helpers/", views.helpers, name="helpers"),
    path("people/<int:person_id>/groups/", views.groups, name="groups"),
    path("people/<int:person_id>/follow-up/", views.follow_up_start, name="follow-up"),
    path("people/<int:person_id>/report/", views.report, name="report"),
    path("helpers/<int:pk>/withdraw/", views.helper_withdraw, name="helper-withdraw"),
    path("goals/<int:pk>/", views.goal, name="goal"),
    path("goals/<int:pk>/review/", views.goal_review, name="goal-review"),
    path("goals/<int:pk>/steps/new/", views.step_new, name="step-new"),
    path("steps/<int:pk>/done/", views.step_done, name="step-done"),
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/<int:pk>/done/", views.work_done, name="work-done"),
    path("wording/", views.wording, name="wording"),
    path("wording/<int:pk>/withdraw/", views.wording_withdraw, name="wording-withdraw"),
    path("reports/", views.aggregates, name="aggregates"),
    path("reports.csv", views.aggregates_csv, name="aggregates-csv"),
]
