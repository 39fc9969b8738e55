from django.urls import path

from budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.home, name="home"),
    path("how-much-might-i-pay/", views.calculator, name="calculator"),
    # supported self-assessment
    path("assessment/start/", views.assessment_start, name="assessment-start"),
    path("assessment/<int:pk>/", views.assessment_overview, name="assessment"),
    path(
        "assessment/<int:pk>/<str:kind>/about-me/",
        views.assessment_about_me,
        name="about-me",
    ),
    path(
        "assessment/<int:pk>/<str:kind>/questions/<str:domain_id>/",
        views.assessment_domain,
        name="domain",
    ),
    path("assessment/<int:pk>/invite/", views.invite, name="invite"),
    path(
        "assessment/<int:pk>/invite/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation-withdraw",
    ),
    path("assessment/<int:pk>/contribute/", views.contribute, name="contribute"),
    path("assessment/<int:pk>/compare/", views.compare, name="compare"),
    path("assessment/<int:pk>/budget/", views.budget, name="budget"),
    path("join/<str:token>/", views.join, name="join"),
    # support plan
    path("plan/", views.my_plan, name="my-plan"),
    path("plan/<int:pk>/", views.plan_detail, name="plan"),
    path("plan/<int:pk>/budget/", views.plan_use_budget, name="plan-use-budget"),
    path("plan/<int:pk>/print/", views.plan_print, name="plan-print"),
    path("plan/<int:pk>/plan.pdf", views.plan_pdf, name="plan-pdf"),
    path("plan/<int:pk>/outcomes/new/", views.outcome_new, name="outcome-new"),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/remove/",
        views.outcome_remove,
        name="outcome-remove",
    ),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/support/",
        views.support_choose,
        name="support-choose",
    ),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/support/service/",
        views.support_service_search,
        name="support-service-search",
    ),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/support/service/<str:service_id>/",
        views.support_service,
        name="support-service",
    ),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/support/time-bank/",
        views.support_time_bank,
        name="support-time-bank",
    ),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/support/other/",
        views.support_other,
        name="support-other",
    ),
    path(
        "plan/<int:pk>/outcomes/<int:outcome_id>/support/not-found/",
        views.support_not_found,
        name="support-not-found",
    ),
    path("plan/<int:pk>/lines/<int:line_id>/remove/", views.line_remove, name="line-remove"),
    path("plan/<int:pk>/money/", views.plan_money, name="plan-money"),
    path("plan/<int:pk>/neighbourhood/", views.plan_neighbourhood, name="plan-neighbourhood"),
    path("plan/<int:pk>/propose/", views.plan_propose, name="plan-propose"),
    path("plan/<int:pk>/decide/", views.plan_decide, name="plan-decide"),
    path("plan/<int:pk>/change/", views.plan_change, name="plan-change"),
    path("plan/<int:pk>/review/", views.plan_review, name="plan-review"),
    path("plan/<int:pk>/versions/<int:number>/", views.plan_version, name="plan-version"),
    path("plan/<int:pk>/open-account/", views.account_open, name="account-open"),
    # budget account
    path("account/<int:pk>/", views.account_detail, name="account"),
    path(
        "account/<int:pk>/correct/<int:transaction_id>/",
        views.account_correct,
        name="account-correct",
    ),
    path("account/<int:pk>/statement.csv", views.account_csv, name="account-csv"),
    # brokerage and pooling
    path("pools/", views.pools, name="pools"),
    path("pools/<int:pk>/", views.pool_detail, name="pool"),
    # caseloads and break glass
    path("caseloads/", views.caseloads, name="caseloads"),
    path("caseloads/<int:assignment_id>/remove/", views.caseload_remove, name="caseload-remove"),
    path("break-glass/", views.break_glass, name="break-glass"),
]
