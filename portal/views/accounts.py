"""Customer accounts in the portal: log in/out, sign up, verify, password links, profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panel1.accounts import ratelimit
from panel1.accounts import services as accounts
from panel1.accounts.tokens import uid_decode
from panel1.accounts.views import LoginView
from panel1.exceptions import DomainError, PermissionDenied
from panel1.i18n.middleware import SESSION_KEY as LANGUAGE_SESSION_KEY
from panel1.i18n.views import language_cookie_set
from portal.access import (
    PortalContextMixin,
    portal_login_required,
    render_portal,
)
from portal.forms import (
    EmailForm,
    PasswordChangeForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
    add_domain_errors,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _set_language_cookie(response, language: str):
    codes = {code for code, _label in settings.LANGUAGES}
    if language in codes:
        language_cookie_set(response, language)
    return response


class PortalLoginView(PortalContextMixin, LoginView):
    """The rate-limited login (panel1.accounts) in the portal's clothes; the interface then
    speaks the language saved in the customer's profile."""

    template_name = "portal/accounts/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        return _set_language_cookie(response, form.get_user().language)


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:home")


def signup(request):
    if not request.tenant.allow_signup:
        status = 403 if request.method == "POST" else 200
        return render_portal(request, "portal/accounts/signup_closed.html", status=status)
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        ip = ratelimit.client_ip(request)
        if ratelimit.is_limited("signup-ip", ip):
            form.is_valid()
            form.add_error(None, _("Too many sign-ups from your network. Try again later."))
            return render_portal(request, "portal/accounts/signup.html", {"form": form}, status=429)
        ratelimit.hit("signup-ip", ip)
        if form.is_valid():
            if form.is_bot:
                return redirect("portal:signup_done")
            try:
                accounts.customer_signup(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    name=form.cleaned_data["name"],
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    base_url=accounts.site_base_url(request),
                )
            except PermissionDenied:
                return render_portal(request, "portal/accounts/signup_closed.html", status=403)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                # The same answer whether the address was new or known (no enumeration).
                request.session["portal_signup_email"] = form.cleaned_data["email"]
                return redirect("portal:signup_done")
    return render_portal(request, "portal/accounts/signup.html", {"form": form})


def signup_done(request):
    email = request.session.get("portal_signup_email", "")
    return render_portal(request, "portal/accounts/signup_done.html", {"email": email})


def verify_email(request, uidb64: str, token: str):
    """Open the link from the verification mail: verify the address and log the customer in."""
    try:
        user = accounts.email_verify(uidb64=uidb64, token=token)
    except DomainError:
        known = uid_decode(uidb64)
        context = {"already_verified": bool(known and known.email_verified)}
        return render_portal(request, "portal/accounts/verify_failed.html", context, status=400)
    if not request.user.is_authenticated:
        login(request, user, backend=MODEL_BACKEND)
    messages.success(request, _("Thank you: your email address is confirmed."))
    return _set_language_cookie(redirect("portal:home"), user.language)


@portal_login_required
@require_POST
def verify_resend(request):
    user = request.user
    if ratelimit.is_limited("mail-email", user.email):
        messages.error(
            request, _("We sent several links already. Check your inbox and spam folder.")
        )
    else:
        ratelimit.hit("mail-email", user.email)
        accounts.email_verification_send(user=user, base_url=accounts.site_base_url(request))
        messages.success(
            request, _("We sent a new confirmation link to %(email)s.") % {"email": user.email}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("portal:home")
    return redirect(target)


def password_request(request, *, mode: str):
    """Ask for a set-password link: "reset" (forgot password) or "claim" (first visit of a
    customer who wrote to us by email). Both mail the right kind of link, and both answer the
    same whether or not the address has an account."""
    form = EmailForm(request.POST or None)
    template = f"portal/accounts/password_{mode}.html"
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip = ratelimit.client_ip(request)
        if ratelimit.is_limited("mail-ip", ip) or ratelimit.is_limited("mail-email", email):
            form.add_error(None, _("Too many requests. Wait a while, then try again."))
            return render_portal(request, template, {"form": form}, status=429)
        ratelimit.hit("mail-ip", ip)
        ratelimit.hit("mail-email", email)
        accounts.password_link_request(email=email, base_url=accounts.site_base_url(request))
        return redirect("portal:password_sent")
    return render_portal(request, template, {"form": form})


def password_sent(request):
    return render_portal(request, "portal/accounts/password_sent.html")


class PasswordSetView(PortalContextMixin, auth_views.PasswordResetConfirmView):
    """Choose a password from a mailed link (reset, claim or invitation). Opening the link
    proves the address, so it is marked verified; then the customer is logged in."""

    template_name = "portal/accounts/password_set.html"
    form_class = SetPasswordForm
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND
    success_url = reverse_lazy("portal:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.email_mark_verified(user=form.user)
        messages.success(self.request, _("Your password is set and you are logged in."))
        return _set_language_cookie(response, form.user.language)


class PasswordChangeView(PortalContextMixin, auth_views.PasswordChangeView):
    template_name = "portal/accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("portal:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


@portal_login_required
def profile(request):
    user = request.user
    initial = {
        "name": user.name,
        "language": translation.get_language(),
        "timezone": user.timezone,
        "notify_by_email": user.notify_by_email,
    }
    form = ProfileForm(request.POST or None, initial=initial, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.profile_update(user=user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            translation.activate(user.language)
            request.session[LANGUAGE_SESSION_KEY] = user.language
            messages.success(request, _("Your profile was saved."))
            return _set_language_cookie(redirect("portal:profile"), user.language)
    return render_portal(request, "portal/accounts/profile.html", {"form": form})
