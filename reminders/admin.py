from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Reminder, ReviewCadence


@admin.register(ReviewCadence)
class ReviewCadenceAdmin(admin.ModelAdmin):
    list_display = ["cell", "crisis_minutes", "alert_minutes", "watch_minutes", "recovery_minutes", "repeat_minutes"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "incident", "status", "next_due_at", "misses", "last_sent_at"]
    list_filter = ["kind", "status"]
