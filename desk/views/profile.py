"""A staff member's own profile: interface and mail language, time zone."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from desk.views.base import desk_view, sidebar_context
from panel1.accounts import services as accounts
from panel1.accounts.forms import ProfileForm
from panel1.exceptions import DomainError
from panel1.i18n.middleware import SESSION_KEY


@require_http_methods(["GET", "POST"])
@desk_view
def profile(request):
    user = request.user
    initial = {"language": translation.get_language(), "timezone": user.timezone}
    form = ProfileForm(request.POST or None, initial=initial, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.profile_update(
                user=user,
                name=user.name,
                notify_by_email=user.notify_by_email,
                language=form.cleaned_data["language"],
                timezone=form.cleaned_data["timezone"],
            )
        except DomainError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            translation.activate(user.language)
            request.session[SESSION_KEY] = user.language
            messages.success(request, _("Your profile was saved."))
            return redirect("desk:profile")
    context = {**sidebar_context(request, counts=False, active="profile"), "form": form}
    return render(request, "desk/profile.html", context, status=400 if form.errors else 200)
