from django.contrib import admin

from warta.workflow.models import Case, Deviation, StepRun


class StepRunInline(admin.TabularInline):
    model = StepRun
    extra = 0
    can_delete = False
    fields = [
        "seq",
        "step_number",
        "step_name",
        "role_id",
        "assignee",
        "revision_round",
        "started_at",
        "due_at",
        "finished_at",
        "finished_by",
        "acting_for",
        "outcome",
        "note",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "sop", "status", "current_step", "revision_round", "started_at"]
    list_filter = ["status", "sop"]
    search_fields = ["title", "subject_id"]
    inlines = [StepRunInline]
    readonly_fields = [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deviation)
class DeviationAdmin(admin.ModelAdmin):
    list_display = ["case", "step_run", "kind", "attributed_to", "created_at", "explained_at"]
    list_select_related = ["case", "step_run", "attributed_to"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Deviation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
