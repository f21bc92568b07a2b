from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Statement, StatementVersion


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "incident", "kind", "audience", "language", "needs_review", "review_due_at"]
    list_filter = ["kind", "audience", "needs_review"]
    search_fields = ["title"]


@admin.register(StatementVersion)
class StatementVersionAdmin(ReadOnlyAdmin):
    list_display = ["statement", "number", "status", "created_by", "decided_by", "published_at"]
    list_filter = ["status"]
