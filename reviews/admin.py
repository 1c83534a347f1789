from django.contrib import admin

from reviews.models import GateReport


@admin.register(GateReport)
class GateReportAdmin(admin.ModelAdmin):
    """Read-only: reports are computed from revisions."""

    list_display = ["revision", "blockers", "warnings", "infos", "computed_at"]
    list_select_related = ["revision__document"]
    raw_id_fields = ["revision"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
