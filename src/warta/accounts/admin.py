from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from warta.accounts import selectors, services
from warta.accounts.client import client_ip
from warta.accounts.models import Delegation, Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group"]
    search_fields = ["name", "code"]
    readonly_fields = ["code"]


class DelegationAddForm(forms.ModelForm):
    """Checks the appointment rules beside the form; the admin then saves through the service."""

    request = None  # set per request by ``DelegationAdmin.get_form``

    class Meta:
        model = Delegation
        fields = ["role", "kind", "acting", "principal", "starts_on", "ends_on", "reason"]

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned["ends_on"] < cleaned["starts_on"]:
            return cleaned  # field errors, or the model's date constraint reports it
        try:
            services.validate_appointment(
                role=cleaned["role"],
                acting=cleaned["acting"],
                principal=cleaned.get("principal"),
                starts_on=cleaned["starts_on"],
                ends_on=cleaned["ends_on"],
                kind=cleaned["kind"],
                reason=cleaned["reason"],
                appointed_by=self.request.user,
            )
        except services.DelegationError as error:
            raise ValidationError(error.message) from error
        return cleaned


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("current", _("in force")),
            ("upcoming", _("upcoming")),
            ("ended", _("ended")),
            ("revoked", _("revoked")),
        ]

    def queryset(self, request, queryset):
        today = selectors.local_date()
        unrevoked = queryset.filter(revoked_at__isnull=True)
        return {
            "current": unrevoked.filter(starts_on__lte=today, ends_on__gte=today),
            "upcoming": unrevoked.filter(starts_on__gt=today),
            "ended": unrevoked.filter(ends_on__lt=today),
            "revoked": queryset.filter(revoked_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Appointments go through ``appoint_delegation`` (rules and audit); a delegation is never
    edited or deleted, only revoked."""

    list_display = [
        "role",
        "kind",
        "acting",
        "principal",
        "starts_on",
        "ends_on",
        "appointed_by",
        "revoked_at",
    ]
    list_filter = [StatusFilter, "kind", "role"]
    list_select_related = ["role", "acting", "principal", "appointed_by"]
    search_fields = [
        "acting__username",
        "acting__first_name",
        "acting__last_name",
        "principal__username",
        "principal__first_name",
        "principal__last_name",
        "reason",
    ]
    date_hierarchy = "starts_on"
    actions = ["revoke_selected"]
    form = DelegationAddForm

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request  # a fresh class per call, so per request
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        # The form checked the rules; the service checks them again under a lock and audits.
        delegation = services.appoint_delegation(
            role_code=data["role"].code,
            acting=data["acting"],
            principal=data.get("principal"),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            kind=data["kind"],
            reason=data["reason"],
            appointed_by=request.user,
            ip=client_ip(request),
        )
        for field in Delegation._meta.concrete_fields:
            setattr(obj, field.attname, getattr(delegation, field.attname))
        obj._state.adding = False
        obj._state.db = delegation._state.db

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many fields or inlines; the service saved everything

    @admin.action(description=_("Revoke the selected delegations"))
    def revoke_selected(self, request, queryset):
        revoked = 0
        for delegation in queryset:
            if not request.user.has_perm("accounts.revoke_delegation", delegation):
                refused = _(
                    "Only the official replaced, whoever appointed the Plh/Plt or an "
                    "administrator may revoke it."
                )
                self.message_user(request, f"{delegation}: {refused}", messages.ERROR)
                continue
            try:
                services.revoke_delegation(
                    delegation_id=delegation.pk,
                    user=request.user,
                    ip=client_ip(request),
                )
            except services.DelegationError as error:
                self.message_user(request, f"{delegation}: {error.message}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            text = ngettext(
                "%(count)d delegation revoked.", "%(count)d delegations revoked.", revoked
            )
            self.message_user(request, text % {"count": revoked}, messages.SUCCESS)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class WartaUserAdmin(UserAdmin):
    """Django's user admin, plus the administrator-assisted recovery paths: a new password
    (audited; ends the person's other sessions and any lockout), unlocking sign-in, and removing
    a lost second factor."""

    actions = ["unlock_sign_in", "remove_second_factor"]

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        before = user.password if user is not None else None
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    services.record_password_reset(
                        user=user, by=request.user, ip=client_ip(request)
                    )
        return response

    @admin.action(description=_("Unlock sign-in (after too many failed attempts)"))
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            services.unlock_sign_in(
                username=user.get_username(), by=request.user, ip=client_ip(request)
            )
        self.message_user(request, _("Sign-in unlocked."), messages.SUCCESS)

    @admin.action(description=_("Remove the second factor (lost phone)"))
    def remove_second_factor(self, request, queryset):
        for user in queryset:
            services.remove_second_factor(user=user, by=request.user, ip=client_ip(request))
        self.message_user(
            request,
            _("Second factor removed. The person sets up a new one at the next sign-in."),
            messages.SUCCESS,
        )


# django-axes' own admin would let an administrator end a lockout by deleting its records, with
# no trace in the audit trail. Its pages stay for looking; every unlock goes through
# ``services.unlock_sign_in`` (audited): here per account or per address, or from Users.
for axes_model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(axes_model):
        admin.site.unregister(axes_model)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class WartaAccessAttemptAdmin(ReadOnlyAdmin, AccessAttemptAdmin):
    """Failed sign-ins, read-only, with the two audited ways to end a lockout."""

    actions = ["unlock_accounts", "unlock_addresses"]

    def has_unlock_permission(self, request) -> bool:
        # Whoever could end a lockout in axes' admin (by deleting attempts) may unlock here.
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(
        description=_("Unlock sign-in for the accounts of the selected attempts"),
        permissions=["unlock"],
    )
    def unlock_accounts(self, request, queryset):
        names = sorted({name for name in queryset.values_list("username", flat=True) if name})
        for name in names:
            services.unlock_sign_in(username=name, by=request.user, ip=client_ip(request))
        text = ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", len(names))
        self.message_user(request, text % {"count": len(names)}, messages.SUCCESS)

    @admin.action(
        description=_("Unlock sign-in from the addresses of the selected attempts"),
        permissions=["unlock"],
    )
    def unlock_addresses(self, request, queryset):
        found = queryset.values_list("ip_address", flat=True)
        addresses = sorted({address for address in found if address})
        for address in addresses:
            services.unlock_sign_in(address=address, by=request.user, ip=client_ip(request))
        text = ngettext(
            "%(count)d address unlocked.", "%(count)d addresses unlocked.", len(addresses)
        )
        self.message_user(request, text % {"count": len(addresses)}, messages.SUCCESS)


@admin.register(AccessLog)
class WartaAccessLogAdmin(ReadOnlyAdmin, AccessLogAdmin):
    """Sign-ins and sign-outs as axes saw them; the audit trail is the record that counts."""


@admin.register(AccessFailureLog)
class WartaAccessFailureLogAdmin(ReadOnlyAdmin, AccessFailureLogAdmin):
    """Every failed sign-in as axes saw it."""
