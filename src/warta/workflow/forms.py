"""Forms of the engine's own pages (deviations). They validate input only."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from warta.workflow.models import Deviation


class DateInput(forms.DateInput):
    input_type = "date"


class DeviationFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    step = forms.ChoiceField(label=_("Step"), required=False)
    person = forms.ModelChoiceField(
        label=_("Person"), required=False, queryset=get_user_model().objects.none()
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *Deviation.Kind.choices]
    )
    explained = forms.ChoiceField(
        label=_("Explained"),
        required=False,
        choices=[("", _("all")), ("yes", _("explained")), ("no", _("not explained"))],
    )
    review = forms.ChoiceField(
        label=_("Review"), required=False, choices=[("", _("all")), *Deviation.Review.choices]
    )

    def __init__(self, *args, steps: list[tuple[str, str]], people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", _("all")), *steps]
        self.fields["person"].queryset = people
        self.fields["person"].empty_label = _("all")
        self.fields["person"].label_from_instance = lambda u: u.get_full_name() or u.username


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=_("Your explanation"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why did it happen, and what will you do so it does not happen again?"),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Deviation.Review.ACKNOWLEDGED, _("Acknowledge")),
            (Deviation.Review.DISPUTED, _("Dispute")),
        ],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you dispute the explanation."),
    )
