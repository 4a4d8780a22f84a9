"""The shell's form helpers: the styling every form shares and how a service's errors land on a form.
Each domain's forms live in its own app (fupin.registry.forms, fupin.audit.forms ...)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class StyledMixin:
    """Adds the CSS classes the templates expect; checkboxes stay checkboxes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "checks")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "check")
            else:
                widget.attrs.setdefault("class", "input")

    def add_error(self, field: str | None,
                  error: ValidationError | str | Sequence[str] | dict[str, Any]) -> None:
        # Marked here rather than in __init__: reading self.errors there validated the form before
        # subclasses had set their choices (townships, years, areas, to_status) and required flags,
        # so every bound filter, create and status form was refused. add_error also sees the
        # errors a service raises after validation.
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class RuleChoiceField(forms.ChoiceField):
    """A choice whose refusal comes from a registry rule, in the rule's words (the same as the API's and
    the service's); the offered choices are the ones the rule accepts."""

    def __init__(self, *, rule: Callable[[str], str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule

    def validate(self, value: str) -> None:
        forms.Field.validate(self, value)  # required
        if value not in self.empty_values:
            error = self.rule(value)
            if error:
                raise ValidationError(error, code="invalid_choice")


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, at the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
