from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone: the log is written by the app and never edited."""

    list_display = ["at", "username", "action", "document", "target", "address", "request"]
    list_filter = ["action"]
    search_fields = ["username", "address", "target", "request"]
    date_hierarchy = "at"
    list_select_related = ["document"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
