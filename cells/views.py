from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .access import get_cell_for_user, membership_for, require_role
from .forms import MemberAddForm, MemberRoleForm
from .models import Membership, Role
from .selectors import SESSION_KEY


@login_required
@require_POST
def switch_cell(request):
    """The cell switcher: remember which cell the user works in."""
    membership = require_role(membership_for(request.user, request.POST.get("cell")), Role.OBSERVER)
    request.session[SESSION_KEY] = membership.cell_id
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)


@login_required
def members(request, cell_id):
    cell = get_cell_for_user(request.user, cell_id)
    is_admin = membership_for(request.user, cell_id).has_role(Role.ADMIN)
    add_form = MemberAddForm()
    status = 200
    if request.method == "POST":
        require_role(membership_for(request.user, cell_id), Role.ADMIN)
        status = 400
        try:
            if "membership" in request.POST:
                membership = get_object_or_404(Membership, cell=cell, pk=request.POST["membership"])
                if "remove" in request.POST:
                    services.membership_remove(membership=membership)
                else:
                    role_form = MemberRoleForm(request.POST)
                    if not role_form.is_valid():
                        raise ValidationError(role_form.errors.get_json_data())
                    services.membership_change_role(membership=membership, role=role_form.cleaned_data["role"])
                return redirect("cells:members", cell_id=cell.pk)
            add_form = MemberAddForm(request.POST)
            if add_form.is_valid():
                user = get_object_or_404(get_user_model(), username=add_form.cleaned_data["username"])
                services.membership_add(cell=cell, user=user, role=add_form.cleaned_data["role"])
                return redirect("cells:members", cell_id=cell.pk)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    rows = Membership.objects.filter(cell=cell).select_related("user").order_by("user__username")
    return render(
        request,
        "cells/members.html",
        {"cell": cell, "rows": rows, "is_admin": is_admin, "add_form": add_form, "roles": Role.choices},
        status=status,
    )
