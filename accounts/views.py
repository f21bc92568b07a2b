from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import services
from .forms import PreferencesForm


@login_required
def preferences(request):
    """The user's own settings: for now the time zone (the language is the switch in the top bar)."""
    form = PreferencesForm(request.POST or None, initial={"timezone": request.user.timezone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_timezone(user=request.user, timezone=form.cleaned_data["timezone"])
        except ValidationError as error:
            form.add_error("timezone", error.messages)
        else:
            zone = form.cleaned_data["timezone"] or settings.DEFAULT_USER_TIMEZONE
            messages.success(request, _("Saved: times are now shown in %(zone)s.") % {"zone": zone})
            return redirect("accounts:preferences")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/preferences.html", {"form": form, "now": timezone.now()}, status=status)


@require_POST
def set_language(request):
    """Django's language switch; a signed-in user's choice is also kept for their e-mails."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
