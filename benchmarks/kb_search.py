"""Knowledge-base search latency at 100k articles in one tenant.

Creates its own tenant (schema `kb_bench`), bulk-loads generated hosting/SaaS support articles
with COPY (the generated search vectors are computed by PostgreSQL; the GIN indexes are built
after the load), runs realistic queries (words, phrases, exclusions, `or`, typos, nothing
found) as anonymous visitors, customers and agents through `article_search` (the function the
API and the pages call), prints p50/p95/max latency, and drops the tenant.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench python benchmarks/kb_search.py

Options: --articles N (default 100000), --queries N (default 200), --keep (keep the tenant),
--reuse (query a kept tenant again without loading).
Target: p95 under 20 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel1.settings")
os.environ.setdefault(
    "SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("HTTPS", "false")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from knowledgebase import search  # noqa: E402
from knowledgebase.models import Article, Category  # noqa: E402
from panel1.accounts.models import Role, User  # noqa: E402
from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

SCHEMA = "kb_bench"
DOMAIN = "kb-bench.localhost"

TOPICS = {
    "Billing": [
        "invoice",
        "payment",
        "refund",
        "credit card",
        "VAT number",
        "subscription",
        "plan",
        "upgrade",
        "downgrade",
        "receipt",
        "billing address",
        "PayPal",
        "SEPA mandate",
        "prorated charge",
        "renewal",
        "discount code",
        "tax",
        "currency",
        "payment method",
    ],
    "Email": [
        "mailbox",
        "IMAP",
        "POP3",
        "SMTP",
        "webmail",
        "spam filter",
        "DKIM",
        "SPF record",
        "DMARC policy",
        "forwarder",
        "autoresponder",
        "Outlook",
        "Thunderbird",
        "Apple Mail",
        "mailbox quota",
        "email alias",
        "catch-all address",
        "mail queue",
        "bounce message",
    ],
    "Domains": [
        "DNS zone",
        "nameserver",
        "A record",
        "MX record",
        "CNAME record",
        "TXT record",
        "domain transfer",
        "registrar",
        "WHOIS privacy",
        "domain renewal",
        "DNS propagation",
        "subdomain",
        "redirect",
        "auth code",
        "DNSSEC",
        "reverse DNS",
        "glue record",
    ],
    "Hosting": [
        "SSL certificate",
        "Let's Encrypt",
        "PHP version",
        "MySQL database",
        "FTP account",
        "SFTP",
        "SSH key",
        "cron job",
        "backup",
        "restore point",
        "WordPress",
        "disk space",
        "bandwidth",
        "htaccess file",
        "error log",
        "CDN",
        "page cache",
        "staging site",
        "Node.js app",
        "Python app",
        "memory limit",
        "inode limit",
    ],
    "Account": [
        "password",
        "two-factor authentication",
        "login",
        "team member",
        "user role",
        "permission",
        "API token",
        "session",
        "profile",
        "email address",
        "security key",
        "audit log",
        "single sign-on",
        "SAML",
        "account owner",
        "recovery code",
    ],
    "API": [
        "API key",
        "rate limit",
        "webhook",
        "endpoint",
        "pagination",
        "OAuth client",
        "JSON response",
        "REST API",
        "SDK",
        "status code",
        "timeout",
        "idempotency key",
        "sandbox",
        "API version",
        "access scope",
        "signature header",
    ],
}
VERBS = [
    "set up",
    "configure",
    "change",
    "reset",
    "enable",
    "disable",
    "troubleshoot",
    "fix",
    "update",
    "remove",
    "add",
    "migrate",
    "verify",
    "renew",
    "transfer",
    "cancel",
    "download",
    "export",
    "import",
    "monitor",
    "secure",
    "test",
]
TITLES = [
    "How to {verb} your {obj}",
    "Connect {app} to your {obj}",
    "Fix \u201c{error}\u201d in {app}",
    "{app}: {verb} the {obj} on {device}",
    "Using {app} with your {obj}",
    "{error} when you {verb} the {obj}",
    "{Obj}: how to {verb} it in the control panel",
    "Troubleshooting {obj} errors",
    "Why does my {obj} stop working?",
    "{Obj} explained",
    "Limits for {obj} on the {plan} plan",
    "Can I {verb} the {obj} myself?",
    "{Obj} and {obj2}: what you need to know",
    "Step by step: {verb} {obj}",
]
SENTENCES = [
    "Open the control panel and go to {section} to {verb} the {obj}.",
    "If the {obj} does not respond, check the {obj2} first and wait a few minutes.",
    "Customers on the {plan} plan can {verb} up to {n} {obj} entries.",
    "The {obj} is applied within {n} minutes; DNS changes may take longer to propagate.",
    "Our support team can {verb} the {obj} for you if you open a ticket with the details.",
    "Error {code} means the {obj} was rejected by the server; {verb} the {obj2} and retry.",
    "Make sure the {obj2} matches the value shown in your dashboard before you continue.",
    "You can {verb} the {obj} from the API as well, using the {endpoint} endpoint.",
    "We recommend that you {verb} the {obj} after every change to the {obj2}.",
    "Billing for the {obj} is prorated and appears on your next invoice.",
    "Note that the {obj} is shared by every website in the same hosting package.",
    "Outlook, Thunderbird and Apple Mail all support this setting for the {obj}.",
    "When the {obj} expires, the {obj2} keeps working for {n} days of grace.",
    "Download the log from {section} and attach it to your ticket so we can help faster.",
    "In {app}, open the settings for the {obj} and paste the values from the control panel.",
    "On {device}, the {obj} may need a restart of {app} before the change shows.",
    "If {app} reports {error}, the {obj2} is usually the cause.",
    "Users of {app} on {device} should {verb} the {obj} once after the upgrade.",
]
APPS = [
    "WordPress",
    "WooCommerce",
    "Joomla",
    "Drupal",
    "Magento",
    "PrestaShop",
    "Shopify",
    "Nextcloud",
    "Roundcube",
    "Mailchimp",
    "Zapier",
    "Slack",
    "Stripe",
    "GitHub",
    "GitLab",
    "Laravel",
    "Django",
    "Ghost",
    "Matomo",
    "phpMyAdmin",
    "Cloudflare",
    "Composer",
    "Redis",
    "Memcached",
    "Elementor",
    "Yoast",
    "Jetpack",
    "Gmail",
    "Google Workspace",
    "Microsoft 365",
    "Zoho",
    "HubSpot",
    "Salesforce",
    "Zendesk",
    "Discourse",
    "Moodle",
    "MediaWiki",
    "Odoo",
    "Mautic",
    "Grafana",
    "Sentry",
    "Docker",
    "Git",
    "rsync",
    "FileZilla",
    "Cyberduck",
    "PuTTY",
    "WinSCP",
    "Postfix",
    "Dovecot",
    "SpamAssassin",
    "Rspamd",
    "ClamAV",
    "Certbot",
    "OpenSSL",
]
DEVICES = [
    "Windows 11",
    "Windows 10",
    "macOS",
    "Android",
    "iPhone",
    "iPad",
    "Ubuntu",
    "Debian",
    "Chromebook",
    "Samsung Galaxy",
    "Pixel",
    "Linux Mint",
    "Fedora",
]
ERRORS = [
    "550 mailbox unavailable",
    "554 message rejected",
    "421 too many connections",
    "ERR_SSL_PROTOCOL_ERROR",
    "NET::ERR_CERT_DATE_INVALID",
    "403 Forbidden",
    "500 Internal Server Error",
    "502 Bad Gateway",
    "504 Gateway Timeout",
    "DNS_PROBE_FINISHED_NXDOMAIN",
    "Error establishing a database connection",
    "Allowed memory size exhausted",
    "Too many redirects",
    "Connection timed out",
    "Authentication failed",
    "Relay access denied",
    "Quota exceeded",
    "Invalid auth code",
]
SECTIONS = ["Settings", "Websites", "Email accounts", "Domains", "Billing", "Security", "Developer"]
PLANS = ["Starter", "Business", "Pro", "Enterprise"]

QUERIES = [
    "reset password", "password", "invoice", "vat number invoice", "refund", "dns",
    "mx record", "dns propagation", "ssl certificate", "let's encrypt renew", "smtp port",
    "imap outlook", "spam filter", "dkim spf", "domain transfer auth code", "nameserver",
    "php version", "cron job", "backup restore", "wordpress", "disk space limit",
    "two-factor authentication", "api key", "rate limit", "webhook", "oauth", "ftp",
    "ssh key", "email forwarder", "subscription cancel", "upgrade plan", "payment method",
    "error log", "mailbox quota", "redirect", "subdomain", "login", "team member role",
    '"two-factor authentication"', '"mx record"', '"rate limit" api', '"ssl certificate" renew',
    '"domain transfer"', "email -outlook", "dns -dnssec", "invoice -refund", "backup -wordpress",
    "imap or pop3", "paypal or sepa", "cname or txt", "sso or saml",
    "pasword reset", "invocie", "certficate", "nameservr", "wordpres backup", "webhok",
    "subscripton", "autoresponer", "dmarc polcy", "propagaton",
    "kubernetes cluster", "blockchain", "zzzqqq", "printer toner",
    "how do i change my password", "why is my email going to spam",
    "how long does dns propagation take", "can i get a refund for my plan",
    "woocommerce ssl", "nextcloud backup", "err_ssl_protocol_error", "550 mailbox unavailable",
    "thunderbird android", "cloudflare dns", "wordpress memory limit", "gmail forwarder",
    "filezilla sftp", "relay access denied", "stripe webhook", "502 bad gateway",
    '"too many redirects" wordpress', "magento cron", "roundcube quota",
]  # fmt: skip


def generate_article(rng: random.Random, i: int, category_ids: dict[str, uuid.UUID]):
    topic = rng.choice(list(TOPICS))
    objs = TOPICS[topic]
    others = TOPICS[rng.choice(list(TOPICS))]
    obj, obj2 = rng.choice(objs), rng.choice(objs + others)
    fill = {
        "verb": rng.choice(VERBS), "obj": obj, "obj2": obj2, "Obj": obj[0].upper() + obj[1:],
        "plan": rng.choice(PLANS), "n": rng.randint(2, 500), "section": rng.choice(SECTIONS),
        "code": f"E{rng.randint(100, 9999)}", "endpoint": f"/v2/{obj.split()[0].lower()}s",
        "app": rng.choice(APPS), "device": rng.choice(DEVICES), "error": rng.choice(ERRORS),
    }  # fmt: skip
    title = rng.choice(TITLES).format(**fill)
    paragraphs = []
    for _ in range(rng.randint(3, 8)):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            fill["obj"] = rng.choice(objs) if rng.random() < 0.7 else rng.choice(others)
            fill["obj2"] = rng.choice(objs + others)
            fill["verb"] = rng.choice(VERBS)
            fill["n"] = rng.randint(2, 500)
            fill["code"] = f"E{rng.randint(100, 9999)}"
            fill["app"], fill["device"] = rng.choice(APPS), rng.choice(DEVICES)
            fill["error"] = rng.choice(ERRORS)
            sentences.append(rng.choice(SENTENCES).format(**fill))
        paragraphs.append(" ".join(sentences))
    body = "\n\n".join(paragraphs)
    excerpt = paragraphs[0][:200]
    tags = sorted({obj.lower(), topic.lower()})
    status = rng.choices(["PUBLISHED", "DRAFT", "ARCHIVED"], [90, 7, 3])[0]
    visibility = rng.choices(["PUBLIC", "CUSTOMERS", "INTERNAL"], [70, 20, 10])[0]
    published = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 900_000))
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        uuid.uuid4(), title, f"{slugify(title)}-{i}", category_ids[topic], body, html, body,
        excerpt, False, "{" + ",".join(f'"{t}"' for t in tags) + "}", " ".join(tags), status,
        visibility, published if status != "DRAFT" else None, rng.randint(0, 5000),
        rng.randint(0, 50), rng.randint(0, 10), published, published, "english", "en",
    )  # fmt: skip


def slugify(text: str) -> str:
    from django.utils.text import slugify as django_slugify

    return django_slugify(text)[:150]


COLUMNS = [
    "id", "title", "slug", "category_id", "body", "body_html", "body_text", "excerpt",
    "excerpt_is_auto", "tags", "tags_text", "status", "visibility", "published_at",
    "view_count", "helpful_count", "not_helpful_count", "created_at", "updated_at",
    "search_config", "language",
]  # fmt: skip
GIN_INDEXES = ["kb_article_search_gin", "kb_article_head_gin"]


def load(count: int) -> float:
    rng = random.Random(42)
    categories = {name: Category.objects.create(name=name, slug=name.lower()).pk for name in TOPICS}
    table = Article._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for name in GIN_INDEXES:  # building a GIN index once beats inserting into it 100k times
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        copy_sql = f'COPY "{table}" ({", ".join(COLUMNS)}) FROM STDIN'
        with cursor.cursor.copy(copy_sql) as copy:
            for i in range(count):
                copy.write_row(generate_article(rng, i, categories))
        cursor.execute(
            f'CREATE INDEX "kb_article_search_gin" ON "{table}" USING gin (search_vector)'
        )
        cursor.execute(f'CREATE INDEX "kb_article_head_gin" ON "{table}" USING gin (search_head)')
        cursor.execute(f'VACUUM ANALYZE "{table}"')
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def kind(query: str, results) -> str:
    if results.corrected or results.did_you_mean:
        return "typo fallback"
    if results.total == 0:
        return "no result"
    if '"' in query:
        return "phrase"
    if " -" in query:
        return "exclusion"
    if " or " in query:
        return "or"
    return "words"


def backend_cpu_reader():
    """A function answering the CPU time (ns) the database backend of this connection has
    used so far, or None when the server runs elsewhere (no /proc entry to read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    if not path.exists():
        return None
    return lambda: int(path.read_text().split()[0])


def run_queries(n: int, *, fresh: bool) -> None:
    rng = random.Random(7)
    readers = [
        ("anonymous", None),
        ("customer", User.objects.create(email="c@bench.test", role=Role.CUSTOMER)),
        ("agent", User.objects.create(email="a@bench.test", role=Role.AGENT)),
    ]
    started = time.perf_counter()
    sizes = search.vocabulary_refresh(force=fresh)
    seconds = time.perf_counter() - started
    if sizes is None:
        print("typo vocabulary: still current in the cache")
    else:
        print(f"typo vocabulary built in {seconds:.1f} s (a background job): {sizes}")
    for q in QUERIES[:10]:  # warm the caches the way a running site has them warm
        search.article_search(user=None, query=q)
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    python_cpu: list[float] = []
    totals = []
    backend_cpu = backend_cpu_reader()
    load_before = os.getloadavg()[0]
    for i in range(n):
        query = QUERIES[i % len(QUERIES)] if i < len(QUERIES) else rng.choice(QUERIES)
        _, user = readers[i % 3]
        db0 = backend_cpu() if backend_cpu else 0
        cpu0, t0 = time.process_time_ns(), time.perf_counter()
        results = search.article_search(user=user, query=query, limit=20)
        elapsed = (time.perf_counter() - t0) * 1000
        own = time.process_time_ns() - cpu0
        used = own + ((backend_cpu() - db0) if backend_cpu else 0)
        cpu.append(used / 1e6)
        python_cpu.append(own / 1e6)
        timings.setdefault("all", []).append(elapsed)
        timings.setdefault(kind(query, results), []).append(elapsed)
        totals.append(results.total)
    print(
        f"{n} queries (anonymous, customer, agent in turn; 20 results with highlights): "
        f"median matches ranked {statistics.median(totals):.0f}, "
        f"zero-result {sum(1 for t in totals if t == 0)}; "
        f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for name, values in timings.items():
        print(
            f"  {name:14} n={len(values):3}  p50 {percentile(values, 50):6.1f} ms  "
            f"p95 {percentile(values, 95):6.1f} ms  max {max(values):6.1f} ms"
        )
    if backend_cpu:
        print(
            f"  CPU per query (Python + PostgreSQL backend, what latency is on an idle machine):"
            f" p50 {percentile(cpu, 50):.1f} ms  p95 {percentile(cpu, 95):.1f} ms"
            f"  max {max(cpu):.1f} ms  (Python alone: p50 {percentile(python_cpu, 50):.1f} ms)"
        )
    text = "My invoice shows VAT twice and the payment with my credit card failed yesterday"
    t0 = time.perf_counter()
    for _ in range(20):
        search.article_suggest(user=None, text=text)
    print(f"suggest (ticket text): {(time.perf_counter() - t0) * 1000 / 20:.1f} ms per call")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark tenant")
    parser.add_argument(
        "--reuse", action="store_true", help="query a tenant kept by --keep, without loading"
    )
    args = parser.parse_args()

    call_command("setup_platform", verbosity=0)
    existing = Tenant.objects.filter(schema_name=SCHEMA).first()
    if existing and not args.reuse:
        existing.delete(force_drop=True)
        existing = None
    tenant = (
        existing
        or tenant_provision(
            schema_name=SCHEMA, domain=DOMAIN, name="KB benchmark", admin_email="admin@bench.test"
        ).tenant
    )
    try:
        with schema_context(SCHEMA):
            if existing:
                print(f"reusing {Article.objects.count()} articles of schema {SCHEMA}")
                User.objects.filter(email__endswith="@bench.test").exclude(
                    email="admin@bench.test"
                ).delete()
            else:
                seconds = load(args.articles)
                print(f"loaded {args.articles} articles in {seconds:.1f} s (COPY + GIN indexes)")
            connection.set_tenant(tenant)
            run_queries(args.queries, fresh=not existing)
    finally:
        connection.set_schema_to_public()
        if not args.keep:
            tenant.delete(force_drop=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
