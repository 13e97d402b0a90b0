from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from panel1.accounts.models import Role, User
from panel1.exceptions import DomainError


def customer_get_or_create(*, email: str, name: str = "") -> tuple[User, bool]:
    """Find the user with `email` (any role) or create a customer without a usable password.

    Customers created this way (by an agent or by email ingest) claim their account later
    with a password-reset style link.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            {"requester_email": [f"{email!r} is not a valid email address."]}
        ) from exc
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, name=name[:200], role=Role.CUSTOMER)
    except IntegrityError:
        # Created concurrently by another request (e.g. two mails from a new sender).
        return User.objects.get(email__iexact=email), False
    return user, True
