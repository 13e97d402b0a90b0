from django.conf import settings

from panel1.core.management.base import Panel1Command
from panel1.tenants.demo import PLATFORM_ADMIN_EMAIL, demo_logins, demo_seed


class Command(Panel1Command):
    help = "Provision the demo tenant (demo.localhost) with people and sample data; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the printed URLs")

    def handle(self, *args, **options):
        done = demo_seed()
        port = options["port"]
        base = f"http://{settings.DEMO_DOMAIN}:{port}"
        self.stdout.write(
            self.style.SUCCESS("Demo tenant ready")
            + (f" ({', '.join(done)})" if done else " (no changes)")
        )
        self.stdout.write(f"  Helpdesk (agents):  {base}/desk/")
        self.stdout.write(f"  Customer portal:    {base}/")
        self.stdout.write(f"  Tenant admin:       {base}/admin/")
        self.stdout.write(f"  API docs:           {base}/api/v1/docs/")
        self.stdout.write(
            f"  Platform admin:     http://localhost:{port}/admin/ ({PLATFORM_ADMIN_EMAIL})"
        )
        self.stdout.write("  Logins (email / password):")
        for role, email, password in demo_logins():
            self.stdout.write(f"    {role:<11} {email:<24} {password}")
