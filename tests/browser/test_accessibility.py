"""axe-core in Chromium: no serious or critical violations on desk, portal, KB and admin pages.

axe-core comes from the npm registry (`npm install axe-core` into .data/axe/, once, at test
time) and is injected into each page; AXE_CORE_JS may point at an axe.min.js instead. Without
npm or the registry the test is skipped (said in its reason), never silently passed.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_automation_builder import CHROMIUM, in_browser
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    TicketFactory,
)
from tests.factories.knowledgebase import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

AXE_VERSION = "4.10.3"
AXE_DIR = Path(__file__).resolve().parents[2] / ".data" / "axe"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_source() -> str:
    if os.environ.get("AXE_CORE_JS"):
        return Path(os.environ["AXE_CORE_JS"]).read_text()
    if not AXE_FILE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core needs npm (apt-get install npm)")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AXE_DIR),
                f"axe-core@{AXE_VERSION}",
                "--no-audit",
                "--no-fund",
                "--silent",
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0 or not AXE_FILE.exists():
            pytest.skip(f"npm could not install axe-core: {done.stderr.decode()[-300:]}")
    return AXE_FILE.read_text()


def audit(page, source: str, url: str) -> list[dict]:
    page.goto(url)
    page.add_script_tag(content=source)
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    return [dict(v, url=url) for v in found if v["impact"] in BAD]


def audit_all(client, source: str, urls: list[str], *, dark: bool = False) -> list[dict]:
    def script(page):
        if dark:
            page.emulate_media(color_scheme="dark")
        problems = []
        for url in urls:
            problems += audit(page, source, url)
        return problems

    # axe-core is injected as an inline script, which the pages' CSP rightly refuses.
    return in_browser(client, script, bypass_csp=True)


def _report(problems: list[dict]) -> str:
    return json.dumps(problems, indent=1)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_desk_and_admin_pages(tenant, tenant_client, axe_source, dark):
    base = f"http://{tenant.domains.get(is_primary=True).domain}"
    admin = AdminFactory(name="Ada Admin")
    AgentFactory(name="Alice Agent")
    SupervisorFactory()
    ticket = TicketFactory(subject="Printer jammed", requester=CustomerFactory())
    article = ArticleFactory(title="Set up DKIM", body="## Steps\n\n1. Open **DNS**")
    urls = [
        "/desk/",
        "/desk/queue/open/",
        f"/desk/tickets/{ticket.number}/",
        "/desk/admin/",
        "/desk/admin/sla/",
        "/desk/admin/sla/new/",
        "/desk/admin/automation/",
        "/desk/admin/automation/new/",
        "/desk/admin/canned/",
        "/desk/admin/categories/",
        "/desk/admin/agents/",
        "/desk/admin/email/",
        "/desk/admin/email/ticket_created/",
        "/desk/admin/settings/",
        "/desk/admin/kb/",
        "/desk/admin/kb/new/",
        f"/desk/admin/kb/{article.pk}/",
        "/desk/admin/kb/insights/",
    ]
    problems = audit_all(tenant_client(admin), axe_source, [base + u for u in urls], dark=dark)
    assert problems == [], _report(problems)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_portal_and_kb_pages(tenant, tenant_client, axe_source, dark):
    base = f"http://{tenant.domains.get(is_primary=True).domain}"
    customer = CustomerFactory(name="Carol Customer")
    ticket = TicketFactory(subject="Cannot log in", requester=customer)
    article = ArticleFactory(title="Resetting your password")
    signed_in = [
        "/",
        "/tickets/",
        "/tickets/new/",
        f"/tickets/{ticket.number}/",
        "/kb/",
        f"/kb/{article.slug}/",
    ]
    anonymous = [
        "/login/",
        "/account/signup/",
        "/account/password/sent/",
        "/kb/",
        "/kb/search/?q=password",
        "/nope/",
    ]
    problems = audit_all(
        tenant_client(customer), axe_source, [base + u for u in signed_in], dark=dark
    )
    problems += audit_all(tenant_client(), axe_source, [base + u for u in anonymous], dark=dark)
    assert problems == [], _report(problems)
