"""Connect the email channel (called from TicketsConfig.ready())."""

from panel1 import jobs


def ready() -> None:
    from panel1.tenants import provisioning
    from tickets import notifiers
    from tickets.email import admin, demo, notifications, staff, tasks  # noqa: F401  (admin registers)

    notifications.connect()
    from panel1.crypto import register_encrypted_field
    from tickets.email.imap import mailbox_passwords_rotate

    register_encrypted_field(label="tickets.imap_passwords", rotate=mailbox_passwords_rotate)
    from tickets.email.dkim_signing import dkim_keys_rotate

    register_encrypted_field(label="tickets.dkim_keys", rotate=dkim_keys_rotate)
    notifiers.register_notifier("email", staff.email_notifier)
    provisioning.register_demo_step("demo email", demo.demo_email_create)
    jobs.register_schedule(
        name="email.imap_poll",
        func="tickets.email.tasks.imap_poll_task",
        minutes=1,
        per_tenant=True,
        due=tasks.imap_poll_due,
    )
    jobs.register_schedule(
        name="email.outbound_retry",
        func="tickets.email.tasks.outbound_retry_task",
        minutes=5,
        per_tenant=True,
    )
    jobs.register_schedule(
        name="email.inbound_stuck",
        func="tickets.email.tasks.inbound_retry_stuck_task",
        minutes=10,
        per_tenant=True,
    )
