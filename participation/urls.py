from django.urls import path

from participation import views

app_name = "participation"
urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_new, name="round-new"),
    path("rounds/<slug:slug>/", views.round_detail, name="round"),
    path("rounds/<slug:slug>/manage/", views.round_manage, name="round-manage"),
    path("rounds/<slug:slug>/advance/", views.round_advance, name="round-advance"),
    path("rounds/<slug:slug>/pots/", views.round_pots, name="round-pots"),
    path("rounds/<slug:slug>/ideas/new/", views.idea_new, name="idea-new"),
    path("rounds/<slug:slug>/projects/<int:project_id>/", views.project_detail, name="project"),
    path(
        "rounds/<slug:slug>/projects/<int:project_id>/assess/",
        views.project_assess,
        name="project-assess",
    ),
    path(
        "rounds/<slug:slug>/projects/<int:project_id>/pitch/",
        views.project_pitch,
        name="project-pitch",
    ),
    path("rounds/<slug:slug>/register/", views.register, name="register"),
    path("rounds/<slug:slug>/registrations/", views.registrations, name="registrations"),
    path("rounds/<slug:slug>/vote/", views.vote, name="vote"),
    path("rounds/<slug:slug>/receipts/", views.receipts, name="receipts"),
    path("rounds/<slug:slug>/paper/issue/", views.paper_issue, name="paper-issue"),
    path("rounds/<slug:slug>/paper/enter/", views.paper_enter, name="paper-enter"),
    path("rounds/<slug:slug>/paper/<int:entry_id>/", views.paper_confirm, name="paper-confirm"),
    path("rounds/<slug:slug>/results/", views.results, name="results"),
    path("rounds/<slug:slug>/results/<str:file_name>", views.results_file, name="results-file"),
    path("peoples-panel/join/", views.pool_join, name="pool-join"),
    path("panels/new/", views.panel_new, name="panel-new"),
    path("panels/<int:panel_id>/", views.panel_detail, name="panel"),
    path("panels/<int:panel_id>/announce/", views.panel_announce, name="panel-announce"),
    path("panels/<int:panel_id>/pool.csv", views.panel_pool_file, name="panel-pool"),
    path("panels/<int:panel_id>/draw/", views.panel_draw, name="panel-draw"),
    path("panels/<int:panel_id>/rank/", views.panel_rank, name="panel-rank"),
    path("panels/<int:panel_id>/publish/", views.panel_publish, name="panel-publish"),
]
