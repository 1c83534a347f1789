from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from prfaq.models import Document, Revision, User

admin.site.register(User, UserAdmin)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "template", "status", "restricted", "updated_at"]
    list_filter = ["status", "template", "restricted"]
    search_fields = ["title", "owner__username"]
    raw_id_fields = ["owner", "collaborators"]
    # Which revision is current is the editor's to say (a save moves it with the version):
    # pointed elsewhere, or at none, the document's pages would show another text.
    readonly_fields = ["version", "current_revision", "word_count", "created_at"]
    exclude = ["search_text"]

    def get_deleted_objects(self, objs, request):
        """A document goes with its revisions, though none may be deleted alone."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Revision._meta.verbose_name)
        return deleted, counts, perms_needed, protected


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Read-only: revisions are history."""

    list_display = ["document", "number", "author", "sealed", "created_at"]
    list_select_related = ["document", "author"]
    raw_id_fields = ["document", "author"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A document goes with its revisions; one revision alone would leave a gap in
        # its history, or a document with no current text.
        return False
