"""The preferences form: one radio group per kind of notification."""

from __future__ import annotations

from django import forms

from warta.notify.models import Kind, Mode


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_modes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Mode.choices,
                initial=initial_modes.get(kind.value, Mode.IMMEDIATE),
                widget=forms.RadioSelect,
            )
