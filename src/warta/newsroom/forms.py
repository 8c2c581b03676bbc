"""Forms of the newsroom pages. They validate input and nothing else: the writes are in
``services``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField

from warta.newsroom.limits import MAX_BODY_CHARS, MAX_COVERAGE_NOTES_CHARS
from warta.newsroom.models import BODY_EXTENSIONS
from warta.publishing import channels as channel_list

# Coverage notes are written within days of the activity; an earlier year is a typing slip.
EARLIEST_ACTIVITY_YEAR = 2000
# Database ids are 64-bit; anything larger is not an id of anything.
MAX_ID = 2**63 - 1


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, accept: str = "", **kwargs):
        kwargs.setdefault("required", False)
        # An empty file goes on to the media check, whose refusal names the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, widget=MultipleFileInput(attrs={"accept": accept}), **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _body_within_limit(value: str) -> None:
    if len(value or "") > MAX_BODY_CHARS:
        raise forms.ValidationError(
            _(
                "The news text is too long (%(length)s characters with its formatting; the "
                "limit is %(limit)s). Shorten it or split it into two items."
            ),
            code="body_too_long",
            params={"length": len(value), "limit": MAX_BODY_CHARS},
        )


def body_field(**kwargs) -> ProseEditorFormField:
    return ProseEditorFormField(
        label=_("News text"),
        required=False,
        extensions=BODY_EXTENSIONS,
        validators=[_body_within_limit],
        **kwargs,
    )


class ContentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    activity_name = forms.CharField(label=_("Activity"), max_length=200)
    activity_at = forms.DateTimeField(
        label=_("Date and time of the activity"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    covered_by = forms.CharField(label=_("Covered by"), max_length=200)
    notes = forms.CharField(
        label=_("Coverage notes"),
        required=False,
        max_length=MAX_COVERAGE_NOTES_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who spoke, what was decided, names and titles to check."),
    )
    body = body_field()
    photos = MultipleFileField(label=_("Add photos"), accept="image/*,.heic,.heif")
    videos = MultipleFileField(label=_("Add videos"), accept="video/*,.mp4,.mov,.webm")

    def clean_activity_at(self):
        value = self.cleaned_data["activity_at"]
        # Checked before any comparison: a year such as 0001 cannot even be converted to UTC.
        if value and value.year < EARLIEST_ACTIVITY_YEAR:
            raise forms.ValidationError(
                _("Check the year: the activity must be in %(year)s or later."),
                params={"year": EARLIEST_ACTIVITY_YEAR},
                code="too_early",
            )
        if value and value > timezone.now() + timezone.timedelta(days=1):
            raise forms.ValidationError(_("The activity cannot be in the future."))
        return value


class NewItemForm(ContentForm):
    pass


class DraftForm(ContentForm):
    channels = forms.MultipleChoiceField(
        label=_("Target channels"),
        choices=channel_list.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        required=False,
        help_text=_("The institution website is always included."),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ID)


class AutosaveForm(forms.Form):
    """The autosave request: content only (no files), every field optional but validated."""

    title = forms.CharField(max_length=200, required=False)
    activity_name = forms.CharField(max_length=200, required=False)
    place = forms.CharField(max_length=200, required=False)
    covered_by = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(max_length=MAX_COVERAGE_NOTES_CHARS, required=False)
    body = body_field()
    base_version = forms.IntegerField(min_value=0, max_value=MAX_ID)
