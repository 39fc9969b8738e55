"""Running a service call from a form view, and showing its refusal on the form.

A view parses a form, then asks a service to make the change. The service may refuse with a
sentence for people, naming the form field it is about (GOV.UK error pattern: the message goes
beside the field, and in the error summary). :func:`attempt` is that step, written once:

    if form.is_valid() and (done := attempt(form, lambda: services.add(...), refused=Refused)):
        return redirect("app:thing", pk=done.value.pk)

- ``refused``: the refusal class (or classes) the view expects. Anything else (a bug, another
  app's refusal the view did not ask for) is not caught.
- ``fields``: where a form calls a field by another name than the rules do
  (``{"rate_source": "source"}``), the refusal goes on the form's name for it.
- A refusal's ``problems`` (every missing check, every reason a household is excluded) each go
  on the same field after the message.
- A refusal about a field the form does not have (or about no field) goes on the whole form, or,
  where the view names one, on its ``unplaced`` field (participation puts it on the form's first
  field, so the error summary links to a field and the message also shows inline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms

T = TypeVar("T")


class Refused(Exception):
    """A change a service will not make. ``message`` is for people; ``field`` names the form field
    it is about (None: the whole form); ``problems`` lists each reason when there are several."""

    def __init__(
        self, message: str, field: str | None = None, problems: Iterable[str] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """A service call that went through, with what it returned (which may be None)."""

    value: T


def attempt(
    form: forms.BaseForm,
    call: Callable[[], T],
    *,
    refused: type[Refused] | tuple[type[Refused], ...],
    fields: Mapping[str, str] | None = None,
    unplaced: str | None = None,
) -> Done[T] | None:
    """Run ``call``. If it raises one of ``refused``, put its message and each of its problems on
    the field it names (renamed through ``fields``), or, when the form has no such field, on
    ``unplaced`` (None: the whole form), and return None. Otherwise return :class:`Done` with
    what ``call`` returned."""
    try:
        return Done(call())
    except refused as refusal:
        field = refusal.field
        if field is not None and fields is not None:
            field = fields.get(field, field)
        on = field if field is not None and field in form.fields else unplaced
        form.add_error(on, refusal.message)
        for problem in refusal.problems:
            form.add_error(on, problem)
        return None
