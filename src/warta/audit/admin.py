from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from warta.audit import actions
from warta.audit.models import Event


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, listed by the registered labels."""

    title = _("what happened")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return actions.choices()

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor_name", "acting_for", "what_happened", "object_link"]
    list_filter = [ActionFilter, "object_type"]
    list_per_page = 50
    # The trail is read in its order (``seq``, indexed); sorting a long trail by another column
    # would sort every event for each page.
    sortable_by = ["seq"]
    # The trail only grows: counting it twice per page (filtered and in full) costs a scan.
    show_full_result_count = False
    search_fields = ["object_id", "actor_name", "action", "note"]
    fields = readonly_fields = ["what_happened", *(f.name for f in Event._meta.fields)]

    def changelist_view(self, request, extra_context=None):
        # Render inside the block so the messages of a page share their look-ups.
        with actions.shared_lookups():
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what happened"), ordering="action")
    def what_happened(self, obj: Event) -> str:
        """The action's label and its message: "Langkah diputuskan — Langkah 3 …"."""
        return actions.describe(obj)

    @admin.display(description=_("object"), ordering="object_type")
    def object_link(self, obj: Event) -> str:
        return f"{obj.object_type}:{obj.object_id}"
