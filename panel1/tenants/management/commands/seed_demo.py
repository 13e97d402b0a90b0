from pathlib import Path

from django.conf import settings

from panel1.core.management.base import Panel1Command
from panel1.tenants.demo import PLATFORM_ADMIN_EMAIL, demo_logins, demo_seed


class Command(Panel1Command):
    help = "Provision the demo tenant (demo.localhost) with people and sample data; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the printed URLs")
        parser.add_argument(
            "--summary-file",
            default="",
            help="Also write the URLs and logins here (scripts/serve prints it again last)",
        )

    def handle(self, *args, **options):
        done = demo_seed()
        port = options["port"]
        base = f"http://{settings.DEMO_DOMAIN}:{port}"
        self.stdout.write(
            self.style.SUCCESS("Demo tenant ready")
            + (f" ({', '.join(done)})" if done else " (no changes)")
        )
        lines = summary_lines(base=base, port=port)
        for line in lines:
            self.stdout.write(line)
        if options["summary_file"]:
            path = Path(options["summary_file"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n")


def summary_lines(*, base: str, port: str) -> list[str]:
    """What a newcomer needs: where to go, how to log in, where the mail goes."""
    lines = [
        f"  Helpdesk (agents):  {base}/desk/",
        f"  Admin area:         {base}/desk/admin/  (supervisors and admins)",
        f"  Customer portal:    {base}/",
        f"  Knowledge base:     {base}/kb/",
        f"  Django admin:       {base}/admin/  (raw data)",
        f"  API docs:           {base}/api/v1/docs/",
        f"  Platform admin:     http://localhost:{port}/admin/ ({PLATFORM_ADMIN_EMAIL})",
        "  Logins (email / password):",
    ]
    lines += [f"    {role:<11} {email:<24} {password}" for role, email, password in demo_logins()]
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        lines.append(
            f"  Mail is not sent: it is written to {settings.EMAIL_FILE_PATH}/ and listed at "
            f"{base}/desk/admin/mail-outbox/"
        )
    else:
        lines.append(f"  Mail goes out through {settings.EMAIL_BACKEND}")
    return lines
