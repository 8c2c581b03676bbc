"""Forms of the channel pages. They validate what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.models import ChannelAccount
from warta.publishing.platforms import PLATFORM_PATHS
from warta.publishing.platforms.base import CredentialField

CREDENTIAL_PREFIX = "cred_"
TEXT_PREFIX = "text_"
REASON_MAX = 1000


def platform_choices() -> list[tuple[str, str]]:
    from warta.publishing.channels import PLATFORM_NAMES

    return [
        (code, str(PLATFORM_NAMES.get(code, code))) for code in PLATFORM_PATHS if code != "website"
    ]


class AccountForm(forms.Form):
    """A channel account; the credential fields come from the platform's connector."""

    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy(
            "Short, lowercase, no spaces (e.g. instagram-humas). Kept for good."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=ChannelAccount.Mode.choices)
    handle = forms.CharField(
        label=gettext_lazy("User name on the platform"), max_length=200, required=False
    )
    external_id = forms.CharField(
        label=gettext_lazy("Account id on the platform"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Page id, Instagram user id or channel id, where the platform has one."
        ),
    )
    profile_url = forms.URLField(
        label=gettext_lazy("Profile address"), max_length=500, required=False, assume_scheme="https"
    )
    base_url = forms.URLField(
        label=gettext_lazy("API address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Empty: the platform's own. For WordPress: the site's address."),
    )
    hashtags = forms.CharField(
        label=gettext_lazy("Hashtags"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Added to every post's text, e.g. #Humas #Imigrasi."),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position in lists"), min_value=0, max_value=9999, initial=10
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        credential_fields: tuple[CredentialField, ...] = (),
        credential_status: dict[str, bool] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        status = credential_status or {}
        if editing:
            del self.fields["code"]
        self.credential_names = []
        for field in credential_fields:
            name = CREDENTIAL_PREFIX + field.name
            is_set = status.get(field.name, False)
            state = _("set") if is_set else _("not set")
            help_parts = [str(field.help)] if field.help else []
            if field.secret and is_set:
                help_parts.append(_("Leave empty to keep the stored value."))
            widget = (
                forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
                if field.secret
                else forms.TextInput(attrs={"autocomplete": "off"})
            )
            self.fields[name] = forms.CharField(
                label=f"{field.label} ({state})",
                required=False,
                max_length=4000,
                strip=True,
                widget=widget,
                help_text=" ".join(help_parts),
            )
            self.credential_names.append(name)

    def credentials(self) -> dict[str, str]:
        return {
            name.removeprefix(CREDENTIAL_PREFIX): self.cleaned_data.get(name) or ""
            for name in self.credential_names
        }

    def credential_fields_bound(self) -> list:
        return [self[name] for name in self.credential_names]

    def plain_fields_bound(self) -> list:
        return [self[name] for name in self.fields if name not in self.credential_names]


class ChannelTextsForm(forms.Form):
    """One text area per social account the item targets."""

    def __init__(self, *args: Any, accounts: list[tuple[ChannelAccount, str, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        for account, initial, limit in accounts:
            attrs = {"rows": 8, "data-limit": str(limit) if limit else ""}
            attrs["data-counter"] = f"count-{account.pk}"
            self.fields[f"{TEXT_PREFIX}{account.pk}"] = forms.CharField(
                label=account.name,
                required=False,
                initial=initial,
                strip=False,
                max_length=100000,
                widget=forms.Textarea(attrs=attrs),
            )

    def texts(self) -> dict[int, str]:
        return {
            int(name.removeprefix(TEXT_PREFIX)): value.replace("\r\n", "\n")
            for name, value in self.cleaned_data.items()
        }


class RecordUrlForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address of the post"), max_length=500, assume_scheme="https"
    )
    screenshot = forms.FileField(
        label=gettext_lazy("Screenshot (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=gettext_lazy("A picture of the post as it appears on the platform."),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What needs correcting?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say what needs correcting."))
        return reason


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the news withdrawn?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the news is withdrawn."))
        return reason
