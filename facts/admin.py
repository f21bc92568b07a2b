from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Claim, Fact, FactPolicy


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
