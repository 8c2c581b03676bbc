"""News items in the admin: read-only. Content and steps change only through the newsroom pages
(the service functions), so every change keeps its audit event and SOP step."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from warta.newsroom.models import NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ("title", "step", "published_at", "created_by", "created_at", "open_link")
    list_filter = ("case__status",)
    search_fields = ("title", "activity_name", "place")
    date_hierarchy = "created_at"
    list_select_related = ("case", "created_by")
    fields = (
        "title", "activity_name", "activity_at", "place", "covered_by", "notes",
        "channels", "slug", "published_at", "created_by", "created_at", "updated_at",
    )  # fmt: skip

    @admin.display(description=_("Step"))
    def step(self, obj: NewsItem) -> str:
        if obj.case is None:
            return "—"
        return obj.case.current_step or obj.case.get_status_display()

    @admin.display(description=_("Newsroom page"))
    def open_link(self, obj: NewsItem) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("newsroom:item", args=[obj.pk]), _("Open")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
