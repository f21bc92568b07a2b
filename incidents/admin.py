from django.contrib import admin

from . import services
from .models import Incident, LevelChangeNotice, LogEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible to superusers, never editable or deletable."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LogEntryInline(admin.TabularInline):
    model = LogEntry
    fields = ["seq", "created_at", "kind", "category", "actor", "text", "hash"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    ordering = ["-seq"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "cell", "level", "severity", "crisis_type", "is_exercise", "updated_at"]
    list_filter = ["cell", "level", "crisis_type", "is_exercise"]
    search_fields = ["title"]
    readonly_fields = ["cell", "level", "level_changed_at", "created_by", "created_at", "updated_at", "log_seq"]
    inlines = [LogEntryInline]

    def has_add_permission(self, request):
        # Creation goes through the service, which opens the crisis log.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Edits are logged like any other: through the service, never a bare save().
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in services.EDITABLE_FIELDS}
        if changes:
            services.incident_update(actor=request.user, incident=Incident.objects.get(pk=obj.pk), **changes)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["incident", "seq", "kind", "category", "actor", "created_at"]
    list_filter = ["kind", "category"]
    search_fields = ["text"]


@admin.register(LevelChangeNotice)
class LevelChangeNoticeAdmin(ReadOnlyAdmin):
    list_display = ["entry", "recipients", "sent_at"]
