"""Writes for the directory, one module per thing people do (each use case is one transactional
function that audits what it did):

- ``enquiries``: a person asks a provider; replies; a coordinator passes one on
- ``reviews``: a person reviews a service; a coordinator moderates it; the provider replies
- ``listings``: a provider proposes a service, a listing change or facts; a coordinator decides
- ``onboarding``: a coordinator records a dated check of a provider
- ``providers``: who acts for an organisation
- ``search_words``: the words a service is found by

Who may do each is in ``directory.permissions`` (re-exported here for other apps). Code in other
apps imports from here; code in the directory imports from the module itself.
"""

from directory.permissions import (
    can_act_for,
    can_reply_to_enquiry,
    can_see_enquiry,
    can_see_review,
    is_moderator,
)
from directory.services._common import DirectoryError
from directory.services.enquiries import record_passed_on, reply_to_enquiry, send_enquiry
from directory.services.listings import (
    decide_listing_change,
    propose_facts,
    propose_listing_change,
    propose_new_service,
)
from directory.services.onboarding import record_onboarding_check
from directory.services.providers import add_member, organizations_of
from directory.services.reviews import moderate_review, reply_to_review, submit_review
from directory.services.search_words import refresh_search_documents, search_document_for

__all__ = [
    "DirectoryError",
    "add_member",
    "can_act_for",
    "can_reply_to_enquiry",
    "can_see_enquiry",
    "can_see_review",
    "decide_listing_change",
    "is_moderator",
    "moderate_review",
    "organizations_of",
    "propose_facts",
    "propose_listing_change",
    "propose_new_service",
    "record_onboarding_check",
    "record_passed_on",
    "refresh_search_documents",
    "reply_to_enquiry",
    "reply_to_review",
    "search_document_for",
    "send_enquiry",
    "submit_review",
]
