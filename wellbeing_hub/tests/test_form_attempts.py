"""``attempt``: a service call from a form view, its refusal shown on the form (issue 14: one helper
for Shared Lives, befriending and evidence, instead of one copy in each)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from wellbeing_hub.form_attempts import Done, Refused, attempt


class Example(forms.Form):
    name = forms.CharField(label="Name")
    source = forms.CharField(label="Source")


class AppRefused(Refused):
    pass


class OtherAppRefused(Refused):
    pass


def valid_form() -> Example:
    form = Example(data={"name": "Ann", "source": "Survey"})
    assert form.is_valid()
    return form


def refuse(refusal: Exception) -> None:
    raise refusal


def test_a_call_that_goes_through_returns_what_it_returned_and_leaves_the_form_alone() -> None:
    form = valid_form()
    done = attempt(form, lambda: 42, refused=AppRefused)
    assert done == Done(42)
    assert not form.errors


def test_a_call_that_returns_none_still_counts_as_done() -> None:
    """Some services return nothing: only a refusal means refused."""
    form = valid_form()
    done = attempt(form, lambda: None, refused=AppRefused)
    assert done is not None and done.value is None


def test_a_refusal_goes_on_the_field_it_names() -> None:
    form = valid_form()
    done = attempt(
        form, lambda: refuse(AppRefused("Enter a shorter name", "name")), refused=AppRefused
    )
    assert done is None
    assert form.errors == {"name": ["Enter a shorter name"]}
    assert "name" not in form.cleaned_data


def test_a_refusal_about_no_field_goes_on_the_whole_form() -> None:
    form = valid_form()
    attempt(form, lambda: refuse(AppRefused("Only a coordinator can do this")), refused=AppRefused)
    assert form.non_field_errors() == ["Only a coordinator can do this"]
    assert set(form.errors) == {NON_FIELD_ERRORS}


def test_a_refusal_about_a_field_the_form_does_not_have_goes_on_the_whole_form() -> None:
    form = valid_form()
    attempt(form, lambda: refuse(AppRefused("Choose a carer", "carer")), refused=AppRefused)
    assert form.non_field_errors() == ["Choose a carer"]
    assert "carer" not in form.errors


def test_each_problem_follows_the_message_on_the_same_field() -> None:
    form = valid_form()
    refusal = AppRefused("Not yet", "name", ["DBS check missing", "Reference missing"])
    attempt(form, lambda: refuse(refusal), refused=AppRefused)
    assert form.errors == {"name": ["Not yet", "DBS check missing", "Reference missing"]}


def test_problems_about_no_field_go_on_the_whole_form_too() -> None:
    form = valid_form()
    refusal = AppRefused("Not yet", "checks", ["DBS check missing"])
    attempt(form, lambda: refuse(refusal), refused=AppRefused)
    assert form.non_field_errors() == ["Not yet", "DBS check missing"]


def test_a_field_the_form_calls_by_another_name_is_renamed() -> None:
    form = valid_form()
    attempt(
        form,
        lambda: refuse(AppRefused("Say where the rate comes from", "rate_source")),
        refused=AppRefused,
        fields={"rate_source": "source"},
    )
    assert form.errors == {"source": ["Say where the rate comes from"]}


def test_fields_not_in_the_mapping_keep_their_names() -> None:
    form = valid_form()
    attempt(
        form,
        lambda: refuse(AppRefused("Enter a name", "name")),
        refused=AppRefused,
        fields={"rate_source": "source"},
    )
    assert form.errors == {"name": ["Enter a name"]}


def test_a_rename_to_a_field_the_form_does_not_have_goes_on_the_whole_form() -> None:
    form = valid_form()
    attempt(
        form,
        lambda: refuse(AppRefused("Enter a rate", "rate")),
        refused=AppRefused,
        fields={"rate": "hourly_rate"},
    )
    assert form.non_field_errors() == ["Enter a rate"]


def test_a_refusal_the_view_did_not_ask_for_is_not_caught() -> None:
    form = valid_form()
    with pytest.raises(OtherAppRefused):
        attempt(form, lambda: refuse(OtherAppRefused("No", "name")), refused=AppRefused)
    assert not form.errors


def test_other_errors_are_not_caught() -> None:
    form = valid_form()
    with pytest.raises(ZeroDivisionError):
        attempt(form, lambda: 1 // 0, refused=AppRefused)
    assert not form.errors


@pytest.mark.parametrize("refusal", [AppRefused("One", "name"), OtherAppRefused("Two", "name")])
def test_several_refusal_classes_can_be_expected_at_once(refusal: Refused) -> None:
    form = valid_form()
    assert attempt(form, lambda: refuse(refusal), refused=(AppRefused, OtherAppRefused)) is None
    assert form.errors == {"name": [refusal.message]}


def test_a_refusal_keeps_its_message_field_and_problems() -> None:
    refusal = Refused("Not yet", "checks", iter(["one", "two"]))
    assert (refusal.message, refusal.field, refusal.problems) == (
        "Not yet",
        "checks",
        ("one", "two"),
    )
    assert str(refusal) == "Not yet"
    assert Refused("No").field is None and Refused("No").problems == ()


def test_a_view_can_put_refusals_about_no_field_of_its_form_on_a_field_it_names() -> None:
    """Participation's pages put them on the form's first field, so the error summary links to a
    field and the message also shows inline."""
    form = valid_form()
    attempt(
        form,
        lambda: refuse(AppRefused("Ideas are closed", problems=["Voting opens on 1 May"])),
        refused=AppRefused,
        unplaced="name",
    )
    assert form.errors == {"name": ["Ideas are closed", "Voting opens on 1 May"]}
    form = valid_form()
    attempt(
        form,
        lambda: refuse(AppRefused("Choose a carer", "carer")),
        refused=AppRefused,
        unplaced="name",
    )
    assert form.errors == {"name": ["Choose a carer"]}
    form = valid_form()
    attempt(
        form,
        lambda: refuse(AppRefused("Enter a shorter name", "source")),
        refused=AppRefused,
        unplaced="name",
    )
    assert form.errors == {"source": ["Enter a shorter name"]}
