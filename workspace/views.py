"""Pages that gather several apps: a cell's communication settings (facts' four-eyes rule and the
reminders' review cadence)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from reminders.forms import CommsSettingsForm

from . import cell_settings


@login_required
def comms_settings(request, cell_id):
    """The cell's review cadence and fact policy: managers read them, administrators change them."""
    membership = require_role(membership_for(request.user, cell_id), Role.MANAGER)
    cell = membership.cell
    status = 200
    if request.method == "POST":
        require_role(membership, Role.ADMIN)
        form = CommsSettingsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                cell_settings.comms_settings_update(actor=request.user, cell=cell, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Communication settings saved. They apply from the next change."))
                return redirect("workspace:comms-settings", cell_id=cell.pk)
    else:
        form = CommsSettingsForm(initial=cell_settings.comms_settings(cell).as_dict())
    context = {"cell": cell, "form": form, "can_edit": membership.has_role(Role.ADMIN)}
    return render(request, "reminders/comms_settings.html", context, status=status)
