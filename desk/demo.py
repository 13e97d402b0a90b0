"""Demo data for the desk (manage.py seed_demo): canned responses and a shared view."""

from __future__ import annotations

from desk.models import CannedResponse, SavedView
from tickets.models import Category, Priority

DEMO_CANNED = [
    (
        "Greeting and next steps",
        "hello",
        None,
        "Hi {{requester.first_name}},\n\nthanks for contacting {{company.name}} about "
        "*{{ticket.subject}}* ({{ticket.number}}). I am looking into it and will get back "
        "to you shortly.\n\nBest regards,\n{{agent.name}}",
    ),
    (
        "Need more information",
        "moreinfo",
        None,
        "Hi {{requester.first_name}},\n\nto help you further, could you send us:\n\n"
        "1. the exact error message (a screenshot is fine),\n2. the time it happened,\n"
        "3. the browser or app version you use.\n\nThanks,\n{{agent.name}}",
    ),
    (
        "Password reset instructions",
        "pwreset",
        "Account",
        "Hi {{requester.first_name}},\n\nyou can reset your password at any time from the "
        "login page with **Forgot your password?**. The link in the email is valid for "
        "3 days.\n\n{{agent.name}}",
    ),
    (
        "Refund issued",
        "refund",
        "Billing",
        "Hi {{requester.first_name}},\n\nwe have issued the refund. It usually shows on your "
        "statement within 5-10 business days.\n\n{{agent.name}}, {{company.name}}",
    ),
    (
        "Closing: solved",
        "solved",
        None,
        "Hi {{requester.first_name}},\n\nglad we could help! I am marking {{ticket.number}} "
        "as resolved; just reply to this message if anything comes up again.\n\n"
        "{{agent.name}}",
    ),
]


def desk_demo_create(*, tenant, people) -> bool:
    """Add the demo canned responses and a shared "Urgent and high" view (idempotent)."""
    created_any = False
    categories = {c.name: c for c in Category.objects.all()}
    for title, shortcut, category, content in DEMO_CANNED:
        _, created = CannedResponse.objects.get_or_create(
            title=title,
            owner=None,
            defaults={
                "shortcut": shortcut,
                "content": content,
                "category": categories.get(category) if category else None,
            },
        )
        created_any |= created
    supervisor = people.get("supervisor@demo.test")
    if supervisor is not None:
        _, created = SavedView.objects.get_or_create(
            owner=supervisor,
            name="Urgent and high, open",
            defaults={
                "is_shared": True,
                "position": 10,
                "filters": {
                    "status": ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD"],
                    "priority": [Priority.URGENT.value, Priority.HIGH.value],
                },
                "ordering": "-priority",
            },
        )
        created_any |= created
    return created_any
