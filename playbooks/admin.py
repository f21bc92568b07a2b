from django.contrib import admin

from .models import Activation, Playbook, PlaybookVersion, Preparedness, RotaSlot, Task


@admin.register(Preparedness)
class PreparednessAdmin(admin.ModelAdmin):
    list_display = ["cell", "activation_level", "ack_remind_minutes", "task_remind_minutes", "digest_hours"]


@admin.register(RotaSlot)
class RotaSlotAdmin(admin.ModelAdmin):
    list_display = ["cell", "user", "starts_at", "ends_at"]
    list_filter = ["cell"]


# Read-only views: these change through the services (versions, guarded moves, the crisis log).
class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Playbook)
class PlaybookAdmin(ReadOnly):
    list_display = ["name", "cell", "crisis_type", "version_count"]


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(ReadOnly):
    list_display = ["playbook", "number", "created_by", "created_at"]


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ["title", "incident", "level", "status", "assignee", "due_at"]
    list_filter = ["status", "level"]


@admin.register(Activation)
class ActivationAdmin(ReadOnly):
    list_display = ["incident", "level", "manual", "created_at"]
