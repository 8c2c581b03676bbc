"""Admin for SOP versions: read-only, plus an upload page that loads a revised definition.

Versions are never edited or deleted (cases are pinned to them). The "add" page of the admin is
the upload form: the file goes through ``warta.sop.services.load_sop`` exactly like
``warta sop load``, and the validator's errors are shown in the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from warta.accounts.client import client_ip
from warta.sop.errors import DefinitionInvalid
from warta.sop.models import SopVersion
from warta.sop.render_text import render_text
from warta.sop.services import load_sop

MAX_UPLOAD_BYTES = 1024 * 1024


class SopUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Definition file (YAML)"),
        help_text=_(
            "A revised SOP definition in the warta-sop/1 format (see docs/sop-format.md). "
            "A valid file becomes the active version of its SOP; cases already running stay on "
            "the version they started under."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        return upload


@admin.register(SopVersion)
class SopVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "is_active", "origin", "loaded_at", "loaded_by"]
    list_filter = ["is_active", "origin", "code"]
    search_fields = ["code", "name", "version", "content_hash"]
    ordering = ["code", "-loaded_at"]
    fields = [
        "code",
        "name",
        "version",
        "revision_date",
        "is_active",
        "origin",
        "filename",
        "loaded_at",
        "loaded_by",
        "content_hash",
        "rendered",
        "source",
    ]
    readonly_fields = fields

    class Media:
        css = {"all": ["warta/admin.css"]}  # .warta-source: the CSP allows no inline style

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("SOP document"))
    def rendered(self, obj: SopVersion) -> str:
        try:
            text = render_text(obj.definition())
        except DefinitionInvalid as exc:  # only if the validator became stricter since loading
            text = str(exc)
        return format_html('<pre class="warta-source">{}</pre>', text)

    @admin.display(description=_("definition (YAML)"))
    def source(self, obj: SopVersion) -> str:
        return format_html('<pre class="warta-source">{}</pre>', obj.source_text)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """The upload form (there is no other way to add a version)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        definition_errors = []
        if request.method == "POST":
            form = SopUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    version = load_sop(
                        path_or_text=form.cleaned_data["text"],
                        loaded_by=request.user,
                        filename=upload.name,
                        origin=SopVersion.Origin.ADMIN,
                        ip=client_ip(request),
                    )
                except DefinitionInvalid as exc:
                    definition_errors = exc.errors
                    form.add_error(
                        "file",
                        gettext(
                            "This file is not a valid SOP definition; nothing was loaded. "
                            "Correct the problems listed below and upload it again."
                        ),
                    )
                else:
                    if version.newly_loaded:
                        message = gettext(
                            "Loaded %(code)s version %(version)s; it is now the active version."
                        )
                    else:
                        message = gettext(
                            "This content is already loaded as %(code)s version %(version)s; "
                            "nothing changed."
                        )
                    self.message_user(
                        request,
                        message % {"code": version.code, "version": version.version},
                        messages.SUCCESS if version.newly_loaded else messages.INFO,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:sop_sopversion_change", args=[version.pk])
                    )
        else:
            form = SopUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Upload an SOP definition"),
            "form": form,
            "definition_errors": definition_errors,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/sop/sopversion/upload.html", context)
