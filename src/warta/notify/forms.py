"""The preferences form: one radio group per registered kind of notification."""

from __future__ import annotations

from django import forms

from warta.notify.kinds import registered_kinds
from warta.notify.models import Mode


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_modes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in registered_kinds():
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=Mode.choices,
                initial=initial_modes.get(kind.code, kind.default_delivery),
                widget=forms.RadioSelect,
            )
