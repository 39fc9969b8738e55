"""The words a service is found by (its search document), kept beside the listing."""

from __future__ import annotations

from collections.abc import Iterable

from directory import search_index
from directory.html import plain_text
from directory.models import Service


def search_document_for(service: Service) -> str:
    terms = " ".join(
        a.taxonomy_term.name for a in service.attributes.select_related("taxonomy_term")
    )
    parts = [
        service.name,
        service.alternate_name,
        service.organization.name,
        terms,
        plain_text(service.description),  # words, not markup: "nbsp" matches nothing
        service.eligibility_description,
    ]
    return "\n".join(p for p in parts if p)


def refresh_search_documents(services: Iterable[Service]) -> int:
    changed = []
    for service in services:
        document = search_document_for(service)
        if document != service.search_document:
            service.search_document = document
            changed.append(service)
    Service.objects.bulk_update(changed, ["search_document"], batch_size=500)
    search_index.refresh(s.pk for s in changed)  # the copied tsvector follows the words
    return len(changed)
