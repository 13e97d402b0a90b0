"""Default categories for every new tenant, and the demo tenant's sample tickets."""

from __future__ import annotations

from tickets.models import Category, Priority, Status, Ticket

DEFAULT_CATEGORIES = [
    ("General", "Questions that fit nowhere else", "#64748b", "help-circle"),
    ("Billing", "Invoices, payments and refunds", "#16a34a", "credit-card"),
    ("Technical", "Errors, outages and configuration", "#dc2626", "wrench"),
    ("Account", "Logins, users and permissions", "#7c3aed", "user"),
]

# (requester, subject, priority, category, tags, conversation, final status, assignee)
DEMO_TICKETS = [
    (
        "carol@customer.test",
        "Cannot log in after password reset",
        Priority.HIGH,
        "Account",
        ["login"],
        [
            (
                "c",
                "I reset my password an hour ago and now the login page says my "
                "credentials are wrong. I tried twice.",
            ),
            (
                "s",
                "Sorry about that, Carol. I cleared a stale session on our side; please "
                "try again and tell us if it still fails.",
            ),
            ("c", "It works now, thanks!"),
        ],
        Status.RESOLVED,
        "alice@demo.test",
    ),
    (
        "dave@customer.test",
        "Invoice #2291 charged twice",
        Priority.URGENT,
        "Billing",
        ["refund", "invoice"],
        [
            (
                "c",
                "My card was charged twice for invoice 2291 "
                "(EUR 149.00 each). Please refund one charge.",
            ),
            ("n", "Payment provider shows two captures. Refund requested."),
        ],
        Status.IN_PROGRESS,
        "bob@demo.test",
    ),
    (
        "erin@example.org",
        "API returns 502 on /v2/orders",
        Priority.HIGH,
        "Technical",
        ["api", "outage"],
        [("c", "Since 09:10 UTC every call to /v2/orders answers 502. Request id 7f3a-22.")],
        Status.OPEN,
        None,
    ),
    (
        "carol@customer.test",
        "How do I add a second admin?",
        Priority.LOW,
        "Account",
        [],
        [
            ("c", "We hired a new office manager. How can I make her an admin too?"),
            (
                "s",
                "Go to Settings > Users, invite her, then choose the Admin role. Does that help?",
            ),
        ],
        Status.WAITING_ON_CUSTOMER,
        "alice@demo.test",
    ),
    (
        "dave@customer.test",
        "Export of all tickets to CSV",
        Priority.MEDIUM,
        "General",
        ["feature-request"],
        [("c", "Is there a way to export our whole history to CSV?")],
        Status.OPEN,
        None,
    ),
    (
        "erin@example.org",
        "SSL certificate expires next week",
        Priority.MEDIUM,
        "Technical",
        ["ssl"],
        [
            (
                "c",
                "Our dashboard warns that the certificate for shop.example.org expires "
                "on Friday. Will it renew automatically?",
            ),
            ("s", "Yes, renewal runs nightly from Monday; I will watch it."),
        ],
        Status.ON_HOLD,
        "bob@demo.test",
    ),
    (
        "carol@customer.test",
        "VAT number missing on invoices",
        Priority.MEDIUM,
        "Billing",
        ["invoice"],
        [
            ("c", "Please add our VAT number DE123456789 to future invoices."),
            ("s", "Done: it is on the invoice profile and will appear from next month."),
        ],
        Status.CLOSED,
        "alice@demo.test",
    ),
    (
        "dave@customer.test",
        "Slow dashboard in the afternoon",
        Priority.LOW,
        "Technical",
        ["performance"],
        [("c", "Between 14:00 and 16:00 the dashboard takes 10+ seconds.")],
        Status.OPEN,
        "alice@demo.test",
    ),
]


def default_categories_create(*, tenant) -> bool:
    """Provisioning step: the default categories that are missing (one read, one insert)."""
    from tickets import category_cache

    present = set(
        Category.objects.filter(name__in=[row[0] for row in DEFAULT_CATEGORIES]).values_list(
            "name", flat=True
        )
    )
    missing = [
        Category(name=name, description=description, color=color, icon=icon)
        for name, description, color, icon in DEFAULT_CATEGORIES
        if name not in present
    ]
    if not missing:
        return False
    Category.objects.bulk_create(missing)
    category_cache.forget()  # bulk_create sends no post_save
    return True


def demo_tickets_create(*, tenant, people) -> bool:
    from tickets import services
    from tickets.models import MessageType

    if Ticket.objects.exists():
        return False
    for requester, subject, priority, category, tags, talk, status, assignee in DEMO_TICKETS:
        customer = people[requester]
        first, *rest = talk
        ticket = services.ticket_create(
            actor=customer,
            requester=customer,
            subject=subject,
            content=first[1],
            priority=priority,
            category=Category.objects.get(name=category),
            tags=tags,
            channel="PORTAL",
        )
        agent = people[assignee] if assignee else None
        if agent:
            services.ticket_assign(
                ticket=ticket, actor=people["supervisor@demo.test"], assignee=agent
            )
        for kind, text in rest:
            if kind == "c":
                services.message_add(ticket=ticket, actor=customer, content=text)
            else:
                services.message_add(
                    ticket=ticket,
                    actor=agent,
                    content=text,
                    time_spent=5,
                    message_type=MessageType.STAFF_REPLY
                    if kind == "s"
                    else MessageType.INTERNAL_NOTE,
                )
        ticket.refresh_from_db()
        if ticket.status != status:
            services.ticket_status_change(
                ticket=ticket,
                actor=agent or people["supervisor@demo.test"],
                status=status,
                reason="Demo data",
            )
    return True
