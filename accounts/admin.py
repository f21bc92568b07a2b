from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from realtime import broadcast

from . import services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Preferences"), {"fields": ("timezone",)}))
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # The form has saved is_active already; what is left of user_deactivate is telling the sockets.
            broadcast.access_ended(user_id=obj.pk)

    # Unlike ticking "active" off one by one, this also tells their open pages at once.
    @admin.action(description=_("Deactivate the selected users"))
    def deactivate(self, request, queryset):
        with transaction.atomic():
            users = list(queryset.filter(is_active=True))
            for user in users:
                services.user_deactivate(user=user)
        self.message_user(
            request,
            ngettext(
                "%(count)d user deactivated; their open pages are disconnected.",
                "%(count)d users deactivated; their open pages are disconnected.",
                len(users),
            )
            % {"count": len(users)},
        )

    def delete_model(self, request, obj):
        user_id = obj.pk
        with transaction.atomic():
            super().delete_model(request, obj)
            broadcast.access_ended(user_id=user_id)

    def delete_queryset(self, request, queryset):
        user_ids = list(queryset.values_list("pk", flat=True))
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for user_id in user_ids:
                broadcast.access_ended(user_id=user_id)
