from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access import membership_for, require_role
from .forms import MemberAddForm, MemberRoleForm
from .models import Membership, Role
from .selectors import SESSION_KEY


def _cell_id(value) -> int:
    # Ids come from forms: anything but a number is "no such cell", not a crash.
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(_("No such cell.")) from None


@login_required
@require_POST
def switch_cell(request):
    """The cell switcher: remember which cell the user works in."""
    membership = require_role(membership_for(request.user, _cell_id(request.POST.get("cell"))), Role.OBSERVER)
    request.session[SESSION_KEY] = membership.cell_id
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)


def _member_of_cell(cell, value) -> Membership:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(_("No such member.")) from None
    return get_object_or_404(Membership.objects.select_related("user"), cell=cell, pk=pk)


@login_required
def members(request, cell_id):
    """Who is in the cell with which role; administrators add, re-role and remove people."""
    own = require_role(membership_for(request.user, cell_id), Role.OBSERVER)
    cell = own.cell
    add_form = MemberAddForm()
    status = 200
    if request.method == "POST":
        require_role(own, Role.ADMIN)
        status = 400
        try:
            if "membership" in request.POST:
                target = _member_of_cell(cell, request.POST["membership"])
                if "remove" in request.POST:
                    services.membership_remove(membership=target)
                    messages.success(request, _("%(user)s was removed from the cell.") % {"user": target.user})
                else:
                    role_form = MemberRoleForm(request.POST)
                    if not role_form.is_valid():
                        raise ValidationError(role_form.errors["role"])
                    role = Role(role_form.cleaned_data["role"])
                    services.membership_change_role(membership=target, role=role)
                    messages.success(
                        request, _("%(user)s is now %(role)s.") % {"user": target.user, "role": role.label}
                    )
                if target.user_id == request.user.pk and not membership_for(request.user, cell.pk):
                    return redirect("incidents:list")
                return redirect("cells:members", cell_id=cell.pk)
            add_form = MemberAddForm(request.POST)
            if add_form.is_valid():
                user = get_object_or_404(get_user_model(), username=add_form.cleaned_data["username"])
                role = Role(add_form.cleaned_data["role"])
                try:
                    services.membership_add(cell=cell, user=user, role=role)
                except ValidationError as error:
                    add_form.add_error("username", error.messages)
                else:
                    messages.success(request, _("%(user)s was added as %(role)s.") % {"user": user, "role": role.label})
                    return redirect("cells:members", cell_id=cell.pk)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    rows = Membership.objects.filter(cell=cell).select_related("user").order_by("user__username")
    return render(
        request,
        "cells/members.html",
        {
            "cell": cell,
            "rows": rows,
            "is_admin": own.has_role(Role.ADMIN),
            "can_see_comms": own.has_role(Role.MANAGER),
            "add_form": add_form,
            "roles": Role.choices,
        },
        status=status,
    )
