from django.contrib import admin

from warta.accounts.models import Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group"]
    search_fields = ["name", "code"]
    readonly_fields = ["code"]
