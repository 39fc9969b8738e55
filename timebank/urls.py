from django.urls import path

from timebank import api, views

app_name = "timebank"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("offers/", views.offers, name="offers"),
    path("offers/new/", views.offer_new, name="offer-new"),
    path("requests/", views.requests_list, name="requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("exchanges/new/", views.exchange_new, name="exchange-new"),
    path("exchanges/<int:pk>/", views.exchange_detail, name="exchange"),
    path("exchanges/<int:pk>/confirm/", views.exchange_confirm, name="exchange-confirm"),
    path("exchanges/<int:pk>/decline/", views.exchange_decline, name="exchange-decline"),
    path("exchanges/<int:pk>/correct/", views.exchange_reverse, name="exchange-reverse"),
    path("statement/", views.my_statement, name="statement"),
    path("coordinator/", views.coordinator, name="coordinator"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/approve/", views.member_approve, name="member-approve"),
    path("members/<int:pk>/decline/", views.member_decline, name="member-decline"),
    path("members/<int:pk>/checks/new/", views.check_new, name="check-new"),
    path("members/<int:pk>/statement/", views.member_statement, name="member-statement"),
    path("rotas/", views.rotas, name="rotas"),
    path("rotas/new/", views.rota_new, name="rota-new"),
    path("rotas/<int:pk>/", views.rota_detail, name="rota"),
    path("rotas/<int:pk>/swap/", views.rota_swap, name="rota-swap"),
    path("rotas/<int:pk>/<str:action>/", views.rota_action, name="rota-action"),
    path("reports/", views.reports, name="reports"),
    path("reports.csv", views.reports_csv, name="reports-csv"),
    path("import/", views.import_csv, name="import"),
    path("credits/<str:action>/", views.credits, name="credits"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("api/exchanges/", api.exchanges, name="api-exchanges"),
    path("api/exchanges/<int:pk>/confirm/", api.confirm, name="api-exchange-confirm"),
]
