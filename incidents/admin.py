from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from core.admin import ReadOnlyAdmin

from . import services
from .models import Incident, LevelChangeNotice, LogEntry


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class IncidentAdminForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = list(services.EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As everywhere: only people of the incident's cell can own it. The
        # service checks it too, but here a refusal must be a form error, not a 500.
        if self.instance.pk is not None:
            self.fields["owner"].queryset = (
                get_user_model().objects.filter(memberships__cell=self.instance.cell_id).order_by("username")
            )


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentAdminForm
    list_display = ["title", "cell", "level", "severity", "crisis_type", "is_exercise", "updated_at"]
    list_filter = ["cell", "level", "crisis_type", "is_exercise"]
    list_select_related = ["cell"]
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
    list_select_related = ["incident", "actor"]
    search_fields = ["text"]


@admin.register(LevelChangeNotice)
class LevelChangeNoticeAdmin(ReadOnlyAdmin):
    list_display = ["entry", "recipients", "sent_at"]
    list_select_related = ["entry"]
