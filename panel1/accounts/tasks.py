"""django-q2 entry points for account mails (run by panel1.jobs inside the tenant's schema)."""

from __future__ import annotations

import logging
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from panel1.accounts.models import User
from panel1.accounts.tokens import email_verification_token, password_token, uid_encode
from panel1.i18n.languages import mail_language

logger = logging.getLogger(__name__)

# The pages the links open. They are the portal's (portal.urls); named here by URL
# name only, so this module does not import the ticket app.
VERIFY_URL_NAME = "portal:verify_email"
PASSWORD_SET_URL_NAME = "portal:password_set"
LOGIN_URL_NAME = "portal:login"


def verification_url(user: User, base_url: str) -> str:
    token = email_verification_token.make_token(user)
    return base_url + reverse(VERIFY_URL_NAME, args=[uid_encode(user), token])


def password_set_url(user: User, base_url: str) -> str:
    """A single-use link that lets the user set a password (reset, claim, invitation).
    The email channel can put it into mails to customers created by ingest."""
    token = password_token.make_token(user)
    return base_url + reverse(PASSWORD_SET_URL_NAME, args=[uid_encode(user), token])


def _brand(base_url: str) -> dict:
    from panel1.tenants.services import current_tenant

    tenant = current_tenant()
    return {
        "name": tenant.brand_name,
        "color": tenant.primary_color,
        "logo_url": f"{base_url}/branding/logo" if tenant.logo else "",
        "footer": tenant.footer_text,
        "support_email": tenant.support_email,
        "home_url": base_url + "/",
    }


def _sender(brand: dict) -> str:
    address = brand["support_email"] or settings.SUPPORT_FROM_EMAIL
    # A display name with CR/LF would break the header; the tenant name is user input.
    name = " ".join(brand["name"].split())
    return formataddr((name, address))


def account_mail_send_task(user_id: str, kind: str, base_url: str) -> bool:
    """Render and send one account mail; False when nothing was sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    if not settings.ENABLE_EMAIL_SENDING:
        logger.info("Email sending is disabled; %s mail to %s not sent", kind, user.pk)
        return False
    brand = _brand(base_url)
    if kind == "verify_email":
        link = verification_url(user, base_url)
    else:
        link = password_set_url(user, base_url)
    context = {
        "user": user,
        "link": link,
        "brand": brand,
        "login_url": base_url + reverse(LOGIN_URL_NAME),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    with translation.override(mail_language(user)):
        subject = render_to_string(f"emails/portal/{kind}_subject.txt", context)
        text = render_to_string(f"emails/portal/{kind}.txt", context)
        html = render_to_string(f"emails/portal/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=_sender(brand),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True
