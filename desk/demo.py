"""Demo data for the desk (manage.py seed_demo): canned responses and a shared view."""

from __future__ import annotations

from desk import services
from desk.models import CannedResponse, SavedView
from tickets.models import Category, Priority

DEMO_VIEW = "Urgent and high, open"
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
        if CannedResponse.objects.filter(title=title, owner=None).exists():
            continue
        services.canned_response_create(
            actor=None,
            title=title,
            shortcut=shortcut,
            content=content,
            category=categories.get(category) if category else None,
        )
        created_any = True
    supervisor = people.get("supervisor@demo.test")
    if (
        supervisor is not None
        and not SavedView.objects.filter(owner=supervisor, name=DEMO_VIEW).exists()
    ):
        services.saved_view_create(
            actor=supervisor,
            name=DEMO_VIEW,
            is_shared=True,
            position=10,
            filters={
                "status": ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD"],
                "priority": [Priority.URGENT.value, Priority.HIGH.value],
            },
            ordering="-priority",
        )
        created_any = True
    return created_any
