"""The directory's pages, under /find-support/.

Service and organisation ids are HSDS ids, which imported feeds keep as their publishers wrote
them, slashes included: so they are ``path`` parameters (``str`` stops at a slash, and one
service with a slash in its id made every search page that listed it fail to link to it, a 500).
The pages under an id come before the id's own page, which would otherwise take their paths as
part of the id.
"""

from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("services/<path:service_id>/enquire/", views.enquiry_new, name="enquire"),
    path("services/<path:service_id>/review/", views.review_new, name="review"),
    path("services/<path:service_id>/edit/", views.listing_edit, name="listing-edit"),
    path("services/<path:service_id>/", views.service_detail, name="service"),
    path("organisations/<path:org_id>/new-service/", views.listing_new, name="listing-new"),
    path("organisations/<path:org_id>/facts/", views.facts_edit, name="facts-edit"),
    path("organisations/<path:org_id>/checks/", views.check_record, name="check-record"),
    path("organisations/<path:org_id>/", views.organization_detail, name="organization"),
    path("enquiries/", views.inbox, name="inbox"),
    path("enquiries/<int:enquiry_id>/", views.enquiry_thread, name="enquiry"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="review-reply"),
    path("your-listings/", views.provider_home, name="provider-home"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/synonyms/", views.synonyms_edit, name="synonyms"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:run_id>/", views.import_detail, name="import"),
    path("imports/<int:run_id>/report.json", views.import_report, name="import-report"),
    path("moderation/changes/<int:change_id>/", views.moderate_change, name="moderate-change"),
    path("moderation/reviews/<int:review_id>/", views.moderate_review, name="moderate-review"),
]
