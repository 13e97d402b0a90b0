from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from panel1.accounts.hooks import customer_created
from panel1.accounts.models import Role, User
from panel1.db_reads import CompiledRead
from panel1.exceptions import DomainError, PermissionDenied
from panel1.text import clean_one_line

EMAIL_MAX_LENGTH = 254

# The account of an address, whatever its case (staff file tickets for customers by address:
# compiled once per connection, not per request).
_USER_BY_EMAIL = CompiledRead(
    lambda email: User.objects.filter(email__iexact=email).order_by("pk"), "email"
)


def customer_get_or_create(
    *, email: str, name: str = "", known_absent: bool = False
) -> tuple[User, bool]:
    """Find the user with `email` (any role) or create a customer without a usable password.

    Customers created this way (by an agent or by email ingest) claim their account later
    with a password-reset style link. `known_absent`: the caller has just looked `email` up
    in this transaction and found nobody, so the look-up is skipped and no savepoint is
    taken: a concurrent creation raises IntegrityError from the unique index, which fails
    the caller's transaction; the caller runs it again (mail ingest does) and then finds the
    account.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > EMAIL_MAX_LENGTH:  # the column's limit (RFC 5321)
            raise ValidationError(_("too long"))
    except ValidationError as exc:
        raise DomainError(
            {
                "requester_email": [
                    _("%(email)s is not a valid email address.") % {"email": repr(email[:60])}
                ]
            }
        ) from exc
    if known_absent:
        return _customer_insert(email, name), True
    user = _USER_BY_EMAIL.first(email=email)
    if user is not None:
        return user, False
    try:
        with transaction.atomic():
            user = _customer_insert(email, name)
    except IntegrityError:
        # Created concurrently by another request (e.g. two mails from a new sender).
        return User.objects.get(email__iexact=email), False
    return user, True


def _customer_insert(email: str, name: str) -> User:
    user = User.objects.create_user(
        email=email, name=clean_one_line(name or "")[:200], role=Role.CUSTOMER
    )
    customer_created(user)
    return user


# --- Customer accounts: sign-up, verification, mailed password links, invitations, profile ---
# Mails go out from a django-q2 task after commit (panel1.accounts.tasks); the task builds the
# link itself, so no token ever sits in the job queue.

MAIL_KINDS = frozenset(
    {
        "verify_email",
        "signup_existing",
        "password_reset",
        "account_claim",
        "invitation",
        "staff_invitation",
    }
)


def site_base_url(request=None) -> str:
    """`scheme://host[:port]` of the tenant site: the request's (its host was matched to one of
    the tenant's domains), else the tenant's primary domain with the serving port."""
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    from panel1.tenants.services import current_tenant
    from panel1.tenants.site import tenant_site_url

    return tenant_site_url(current_tenant())


def account_mail_send(*, user: User, kind: str, base_url: str) -> None:
    """Queue an account mail of `kind` to `user` (sent after commit by a django-q2 task)."""
    from panel1.jobs import enqueue

    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown account mail {kind!r}")
    enqueue("panel1.accounts.tasks.account_mail_send_task", str(user.pk), kind, base_url)


def _normalized_email(email: str, *, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(_("too long"))
    except ValidationError as exc:
        raise DomainError({field: [_("Enter a valid email address.")]}) from exc
    return email


@transaction.atomic
def customer_signup(
    *, email: str, password: str, name: str = "", language: str = "", base_url: str
) -> User | None:
    """Register a customer with an unverified address and mail the verification link.

    When the address already has an account, mail its owner a note with a password link
    instead and create nothing: the caller answers the same either way (no enumeration).
    Returns the new user, or None. Raises PermissionDenied when the tenant is invitation-only.
    """
    from panel1.tenants.services import current_tenant

    if not current_tenant().allow_signup:
        raise PermissionDenied(_("Sign-up is by invitation only."))
    email = _normalized_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    name=clean_one_line(name or "")[:200],
                    role=Role.CUSTOMER,
                    language=language or django_settings.LANGUAGE_CODE,
                )
                customer_created(user)
        except IntegrityError:  # the same address signed up concurrently
            existing = User.objects.get(email__iexact=email)
        else:
            account_mail_send(user=user, kind="verify_email", base_url=base_url)
            return user
    if existing.is_active:
        account_mail_send(user=existing, kind="signup_existing", base_url=base_url)
    return None


def email_verification_send(*, user: User, base_url: str) -> None:
    """Mail a fresh verification link, unless the address is verified already."""
    if not user.email_verified:
        account_mail_send(user=user, kind="verify_email", base_url=base_url)


@transaction.atomic
def email_verify(*, uidb64: str, token: str) -> User:
    """Mark the address of the user the link names as verified; DomainError if the link is bad,
    expired or used (an address that is verified already makes the link used)."""
    from panel1.accounts.tokens import email_verification_token, uid_decode

    user = uid_decode(uidb64)
    if user is None or not email_verification_token.check_token(user, token):
        raise DomainError({"token": [_("This link is invalid, expired or was used already.")]})
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    return user


def email_mark_verified(*, user: User) -> User:
    """Record that the user proved control of the address (e.g. set a password by a mailed link)."""
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user


def password_link_request(*, email: str, base_url: str) -> None:
    """Mail a set-password link to the account of `email`, if there is an active one: a reset
    for accounts with a password, a claim for accounts created by email or by staff (no
    password yet). Silent when there is no such account (the caller answers the same)."""
    try:
        email = _normalized_email(email)
    except DomainError:
        return
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    kind = "password_reset" if user.has_usable_password() else "account_claim"
    account_mail_send(user=user, kind=kind, base_url=base_url)


@transaction.atomic
def customer_invite(*, email: str, actor: User, base_url: str, name: str = "") -> User:
    """Invite a customer to the portal: create the account if new (no password) and mail a
    set-password link. Staff only; staff addresses cannot be invited as customers."""
    if actor is None or not actor.is_helpdesk_staff:
        raise PermissionDenied(_("Only staff can invite customers."))
    user, _created = customer_get_or_create(email=_normalized_email(email), name=name)
    if not user.is_customer or not user.is_active:
        raise DomainError(
            {"email": [_("This address belongs to an account that is not an active customer.")]}
        )
    account_mail_send(user=user, kind="invitation", base_url=base_url)
    return user


def _offered_language(language: str) -> str:
    from panel1.i18n.languages import normalize, offered_languages
    from panel1.tenants.services import current_tenant

    code = normalize(language, offered_languages(current_tenant()))
    if code is None or code != (language or "").strip().lower().replace("_", "-"):
        raise DomainError({"language": [_("Choose one of the offered languages.")]})
    return code


def clean_timezone(value: str) -> str:
    """An IANA time zone name, or "" (follow the helpdesk's time zone)."""
    from zoneinfo import available_timezones

    value = (value or "").strip()
    if value and (len(value) > 64 or value not in available_timezones()):
        raise DomainError({"timezone": [_("Choose a time zone from the list.")]})
    return value


@transaction.atomic
def profile_update(
    *,
    user: User,
    name: str,
    language: str,
    notify_by_email: bool,
    timezone: str | None = None,
) -> User:
    """Change the user's own name, interface language, time zone (None: unchanged) and
    notification preference."""
    language = _offered_language(language)
    name = clean_one_line(name or "")
    if len(name) > 200:
        raise DomainError({"name": [_("Use at most 200 characters.")]})
    fields = ["name", "language", "notify_by_email"]
    if timezone is not None:
        user.timezone = clean_timezone(timezone)
        fields.append("timezone")
    user.name = name
    user.language = language
    user.notify_by_email = bool(notify_by_email)
    user.save(update_fields=fields)
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """The language switch of a signed-in person: their profile language changes."""
    user.language = _offered_language(language)
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def password_set(*, actor: User, user: User, password: str) -> User:
    """Set `user`'s password (already validated by the form's password validators): from a
    mailed link or the change-password page, where `actor` is the user themself."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
