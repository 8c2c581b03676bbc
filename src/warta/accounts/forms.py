"""The form to appoint a Plh/Plt. It checks types only; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from warta.accounts.models import Delegation, Role


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AppointForm(forms.Form):
    """``principal`` is the signed-in official; an administrator chooses it (or leaves it
    empty for a vacant post)."""

    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Delegation.Kind.choices,
        initial=Delegation.Kind.PLH,
        widget=forms.RadioSelect,
    )
    acting = UserChoiceField(label=_("Acting official"), queryset=get_user_model().objects.none())
    principal = UserChoiceField(
        label=_("Official replaced"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Leave empty when the post is vacant."),
    )
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput(), help_text=_("Inclusive."))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("For example: annual leave, official travel to Jakarta."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
        self.fields["acting"].queryset = users.exclude(pk=user.pk)
        if user.has_perm("accounts.appoint_plh_for_others"):
            self.fields["role"].queryset = Role.objects.all()
            self.fields["principal"].queryset = users
        else:
            self.fields["role"].queryset = Role.objects.filter(group__user=user)
            del self.fields["principal"]
        roles = list(self.fields["role"].queryset[:2])
        if len(roles) == 1:  # the usual case: an official holds one role
            self.fields["role"].initial = roles[0].pk
