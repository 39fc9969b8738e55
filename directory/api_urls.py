"""URLs of the Open Referral UK 3.0 API, mounted at /api/oruk/ (namespace ``oruk-api``).

Paths have no trailing slash, as ORUK writes them; one is accepted too. An id may contain any
character, slashes and line breaks included (so the groups match any character, where ``.`` would
stop at a line break and leave the path to Django's HTML 404), because imported feeds keep their
publishers' ids. Any other path under the API gets a 404 in problem JSON.
"""

from django.urls import path, re_path

from directory import api

app_name = "oruk-api"
urlpatterns = [
    path("", api.root, name="root"),
    re_path(r"^openapi\.json$", api.openapi, name="openapi"),
    re_path(r"^services/?$", api.services, name="services"),
    re_path(r"^services/(?P<service_id>[\s\S]+?)/?$", api.service, name="service"),
    re_path(r"^service_at_locations/?$", api.service_at_locations, name="service-at-locations"),
    re_path(
        r"^service_at_locations/(?P<sal_id>[\s\S]+?)/?$",
        api.service_at_location,
        name="service-at-location",
    ),
    re_path(r"^organizations/?$", api.organizations, name="organizations"),
    re_path(r"^organizations/(?P<org_id>[\s\S]+?)/?$", api.organization, name="organization"),
    re_path(r"^taxonomies/?$", api.taxonomies, name="taxonomies"),
    re_path(r"^taxonomies/(?P<taxonomy_id>[\s\S]+?)/?$", api.taxonomy, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", api.taxonomy_terms, name="taxonomy-terms"),
    re_path(r"^taxonomy_terms/(?P<term_id>[\s\S]+?)/?$", api.taxonomy_term, name="taxonomy-term"),
    re_path(r"^problems/(?P<kind>[a-z-]+)$", api.problem_type, name="problem-type"),
    re_path(r"^(?P<rest>[\s\S]*)$", api.not_found, name="not-found"),
]
