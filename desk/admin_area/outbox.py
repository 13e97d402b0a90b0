"""The demo's mail outbox (/desk/admin/mail-outbox/): the mail this helpdesk sent, read from
the file backend's folder (.data/mail/ by default) and the notification log.

Demo only (DEBUG or DEMO_MODE): in production mail goes to real mailboxes. The folder is shared
by every tenant of the process, so a message is listed only when one of its recipients is a
user of this tenant.
"""

from __future__ import annotations

import email
import email.policy
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from django.conf import settings

from desk.admin_area.base import admin_render, admin_view
from panel1.accounts.models import User
from tickets.models import OutboundEmail

MAX_FILES = 200
SEPARATOR = "\n" + "-" * 79 + "\n"


def _folder() -> Path | None:
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return None
    return Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")


def _messages(folder: Path) -> list[dict]:
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    found = []
    for path in files[:MAX_FILES]:
        for chunk in path.read_text(errors="replace").split(SEPARATOR):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.lstrip("\n"), policy=email.policy.default)
            found.append(_summary(message, path.name))
    return found


def _summary(message, file_name: str) -> dict:
    recipients = [address.lower() for _name, address in getaddresses(message.get_all("To", []))]
    try:
        sent = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    body = message.get_body(preferencelist=("plain",))
    return {
        "subject": str(message["Subject"] or ""),
        "to": recipients,
        "from": str(message["From"] or ""),
        "date": sent,
        "text": body.get_content() if body is not None else "",
        "file": file_name,
    }


@admin_view("mail-outbox")
def outbox(request):
    folder = _folder()
    messages = _messages(folder) if folder else []
    wanted = {address for item in messages for address in item["to"]}
    ours = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    listed = [item for item in messages if ours.intersection(item["to"])]
    listed.sort(key=lambda item: (item["date"] is not None, item["date"]), reverse=True)
    log = OutboundEmail.objects.order_by("-created_at")[:50]
    context = {"listed": listed[:100], "folder": folder, "log": log}
    return admin_render(request, "desk/admin/outbox.html", context)
