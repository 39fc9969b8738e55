from django.urls import path

from evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/new/", views.project_new, name="project-new"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/inputs/new/", views.input_new, name="input-new"),
    path("projects/<int:pk>/inputs/time-bank/", views.input_time_bank, name="input-time-bank"),
    path("projects/<int:pk>/outcomes/new/", views.outcome_new, name="outcome-new"),
    path(
        "projects/<int:pk>/<str:kind>/<slug:item_id>/remove/",
        views.item_remove,
        name="item-remove",
    ),
    path("projects/<int:pk>/sroi.xlsx", views.download_xlsx, name="xlsx"),
    path("projects/<int:pk>/sroi.csv", views.download_csv, name="csv"),
    path("projects/<int:pk>/case.yaml", views.download_case, name="case"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("co-production/", views.coproduction, name="coproduction"),
    path("co-production.csv", views.coproduction_csv, name="coproduction-csv"),
    path("co-production/sessions/new/", views.session_new, name="session-new"),
    path("gap-in-the-market/", views.gap, name="gap"),
    path("gap-in-the-market/offer-a-theme/", views.gap_offer, name="gap-offer"),
    path("open-data/", views.open_data_page, name="open-data"),
    path("open-data/gap-in-the-market.csv", views.gap_csv, name="open-gap-csv"),
    path("open-data/gap-in-the-market.json", views.gap_json, name="open-gap-json"),
    path("open-data/portfolio.csv", views.portfolio_csv, name="open-portfolio-csv"),
    path("open-data/portfolio.json", views.portfolio_json, name="open-portfolio-json"),
    path("proxies/", views.proxies, name="proxies"),
    path("deflator/", views.deflator, name="deflator"),
]
