"""Admin: the e-mail outbox (read-only, with "retry now") and the notifications (read-only)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from warta.notify import services
from warta.notify.models import Notification, OutgoingMail


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to_address", "subject", "status", "attempts", "short_error"]
    list_filter = ["status"]
    search_fields = ["to_address", "subject"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutgoingMail) -> str:
        return obj.last_error[:120]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notify.change_outgoingmail")

    @admin.action(description=_("Retry sending now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        queued = sum(1 for mail in queryset if services.retry_mail(mail=mail))
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail queued for sending.",
                "%(count)d e-mails queued for sending.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username", "dedupe_key"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    date_hierarchy = "created_at"
