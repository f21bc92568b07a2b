from django.contrib import admin

from .models import Claim, Fact, FactPolicy


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changed only through the services (which log every change): superusers look, never edit here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FactPolicy)
class FactPolicyAdmin(admin.ModelAdmin):
    list_display = ["cell", "verifier_must_differ"]


@admin.register(Fact)
class FactAdmin(ReadOnlyAdmin):
    list_display = ["id", "incident", "status", "version", "created_by", "verified_by", "updated_at"]
    list_filter = ["status"]
    search_fields = ["text"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["id", "incident", "status", "first_seen_at", "where", "estimated_reach"]
    list_filter = ["status"]
    search_fields = ["text"]
