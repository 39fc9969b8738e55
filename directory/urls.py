from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("services/<str:service_id>/", views.service_detail, name="service"),
    path("services/<str:service_id>/enquire/", views.enquiry_new, name="enquire"),
    path("services/<str:service_id>/review/", views.review_new, name="review"),
    path("services/<str:service_id>/edit/", views.listing_edit, name="listing-edit"),
    path("organisations/<str:org_id>/", views.organization_detail, name="organization"),
    path("organisations/<str:org_id>/new-service/", views.listing_new, name="listing-new"),
    path("organisations/<str:org_id>/facts/", views.facts_edit, name="facts-edit"),
    path("organisations/<str:org_id>/checks/", views.check_record, name="check-record"),
    path("enquiries/", views.inbox, name="inbox"),
    path("enquiries/<int:enquiry_id>/", views.enquiry_thread, name="enquiry"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="review-reply"),
    path("your-listings/", views.provider_home, name="provider-home"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/changes/<int:change_id>/", views.moderate_change, name="moderate-change"),
    path("moderation/reviews/<int:review_id>/", views.moderate_review, name="moderate-review"),
]
