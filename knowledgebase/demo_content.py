"""The demo company's help center: a hosting and SaaS provider (seed data, Markdown)."""

# (slug, name, description, parent slug or None, position)
CATEGORIES = [
    ("getting-started", "Getting started", "Your first steps in the control panel", None, 0),
    ("billing", "Billing & payments", "Invoices, payment methods, plans and refunds", None, 1),
    ("account", "Account & security", "Logins, team members and 2FA", None, 2),
    ("email", "Email", "Mailboxes, email clients and deliverability", None, 3),
    ("email-clients", "Email clients", "Outlook, Apple Mail, Thunderbird and phones", "email", 0),
    ("domains", "Domains & DNS", "Registrations, transfers and DNS records", None, 4),
    ("hosting", "Websites & hosting", "SSL, PHP, databases, backups and WordPress", None, 5),
    ("developers", "Developers & API", "REST API, tokens, webhooks and rate limits", None, 6),
    ("agent-playbooks", "Agent playbooks", "How the support team handles tricky cases", None, 9),
]  # fmt: skip

# (title, category slug, tags, visibility, status, body)
ARTICLES = [
    (
        "Getting started with your control panel",
        "getting-started",
        ["onboarding", "control panel"],
        "PUBLIC",
        "PUBLISHED",
        """Welcome! This guide walks you through the first ten minutes in the control panel.

## 1. Verify your email address
We sent a link to the address you signed up with. Until you click it, you cannot add
domains or mailboxes. Did not get it? Check your spam folder, then use **Resend
verification** on the dashboard.

## 2. Add your domain
Go to **Domains → Add domain**. You can register a new domain, transfer one from another
registrar, or simply point an existing domain at us by changing its nameservers.

## 3. Create your first mailbox
Under **Email → Mailboxes**, choose **New mailbox**, pick an address and a strong password.

## 4. Invite your team
**Settings → Team** lets you invite colleagues and give them a role.

Need a hand? Our support team answers in under four business hours.""",
    ),
    (
        "How to reset your password",
        "account",
        ["password", "login"],
        "PUBLIC",
        "PUBLISHED",
        """Forgot your password? You can reset it yourself in a minute.

1. Open the [login page](/accounts/login/) and click **Forgot your password?**
2. Enter the email address of your account.
3. We email you a reset link. It is valid for **one hour** and works once.
4. Choose a new password of at least 10 characters.

### The reset email does not arrive
* Check your spam or junk folder.
* Make sure you typed the address you log in with (not a mailbox you host with us).
* Corporate filters sometimes hold mail for a few minutes: wait, then try again.

If two-factor authentication is on, you still need your code or a recovery code after the
reset. See *Two-factor authentication* if you lost your phone.""",
    ),
    (
        "Set up two-factor authentication (2FA)",
        "account",
        ["two-factor", "security", "2fa"],
        "PUBLIC",
        "PUBLISHED",
        """Two-factor authentication protects your account even if your password leaks.

## Turn it on
1. Go to **Settings → Security → Two-factor authentication**.
2. Scan the QR code with an authenticator app (Google Authenticator, 1Password, Authy...).
3. Enter the six-digit code the app shows.
4. **Save your recovery codes** somewhere safe. Each code works once.

## Lost your phone?
Log in with one of your recovery codes, then set up 2FA again on your new phone. No recovery
codes left? Contact support from the email address on the account; we verify your identity
before we switch 2FA off.

> Account owners can require 2FA for every team member under **Settings → Team → Policies**.""",
    ),
    (
        "Invite team members and choose their roles",
        "account",
        ["team", "roles", "permissions"],
        "PUBLIC",
        "PUBLISHED",
        """Share the work without sharing a password.

| Role | Can do |
|---|---|
| Owner | Everything, including billing and closing the account |
| Admin | Everything except billing and ownership |
| Developer | Websites, databases, DNS, API tokens |
| Billing | Invoices and payment methods only |

Invite someone under **Settings → Team → Invite**. The invitation link is valid for 7 days.
To transfer ownership, the current owner opens **Settings → Team**, picks the new owner and
confirms with their password.""",
    ),
    (
        "Understanding your invoice",
        "billing",
        ["invoice", "vat", "billing"],
        "PUBLIC",
        "PUBLISHED",
        """Every invoice lists the period it covers, each service with its price, and the tax.

* **Prorated charges** appear when you upgrade in the middle of a billing period: you pay only
  for the remaining days at the new price.
* **VAT** is added for customers in the EU without a valid VAT number. Add your VAT number
  under **Billing → Company details** and future invoices are issued with reverse charge.
* Invoices are PDF files; download them any time from **Billing → Invoices**.

Need a different company name or address on an invoice that was already issued? Contact
support: we can issue a corrected invoice for the last 90 days.""",
    ),
    (
        "Update your payment method",
        "billing",
        ["payment", "credit card", "sepa", "paypal"],
        "PUBLIC",
        "PUBLISHED",
        """We accept credit and debit cards (Visa, Mastercard, American Express), PayPal and SEPA
direct debit for customers in the euro area.

1. Open **Billing → Payment methods**.
2. Choose **Add payment method** and follow the steps; cards may ask for 3-D Secure
   confirmation in your banking app.
3. Mark the new method as **Default**. The next invoice is charged to it.

If a payment fails, we retry after 3 and 7 days and email you each time. Services are
suspended only after 14 days without payment.""",
    ),
    (
        "Upgrade or downgrade your plan",
        "billing",
        ["plan", "upgrade", "subscription"],
        "PUBLIC",
        "PUBLISHED",
        """You can change your plan at any time under **Billing → Plan**.

* **Upgrades** take effect immediately. You are charged a prorated amount for the rest of the
  current period.
* **Downgrades** take effect at the end of the current period. Make sure your usage (disk
  space, mailboxes, websites) fits the smaller plan, or the downgrade is refused.

Annual plans can be switched to monthly at renewal time.""",
    ),
    (
        "Refund policy",
        "billing",
        ["refund", "cancel"],
        "PUBLIC",
        "PUBLISHED",
        """New hosting plans come with a **30-day money-back guarantee**. Cancel within 30 days of
the first payment and we refund it in full.

Not refundable:
* domain registrations and transfers (the registry charges us immediately),
* add-ons used up during the period, such as extra backups restored,
* renewals after the first year.

Refunds go back to the original payment method within 5-10 business days. To ask for one,
open a ticket from the **Billing** category.""",
    ),
    (
        "Set up your email in Outlook",
        "email-clients",
        ["outlook", "imap", "smtp"],
        "PUBLIC",
        "PUBLISHED",
        """Use these settings for Outlook on Windows and Mac.

| Setting | Value |
|---|---|
| Incoming (IMAP) server | `mail.example-hosting.net`, port **993**, SSL/TLS |
| Outgoing (SMTP) server | `mail.example-hosting.net`, port **587**, STARTTLS |
| User name | your full email address |
| Password | your mailbox password |

1. In Outlook choose **File → Add account**.
2. Enter your address, then **Advanced options → Let me set up my account manually**.
3. Pick **IMAP** and enter the values above.

If Outlook keeps asking for your password, check that the outgoing server requires
authentication with the same user name and password as incoming mail.""",
    ),
    (
        "Set up your email on iPhone and Apple Mail",
        "email-clients",
        ["apple mail", "iphone", "imap"],
        "PUBLIC",
        "PUBLISHED",
        """On your iPhone open **Settings → Mail → Accounts → Add Account → Other → Add Mail
Account**. Enter your name, full email address and password, then choose **IMAP**.

Use `mail.example-hosting.net` for both the incoming and the outgoing server, with your full
email address as the user name. The iPhone picks ports 993 and 587 automatically.

On a Mac, Apple Mail uses the same values: **Mail → Add Account → Other Mail Account**.""",
    ),
    (
        "Set up your email in Thunderbird",
        "email-clients",
        ["thunderbird", "imap", "smtp"],
        "PUBLIC",
        "PUBLISHED",
        """Thunderbird finds our settings automatically in most cases.

1. Choose **Account Settings → Account Actions → Add Mail Account**.
2. Enter your name, email address and password and click **Continue**.
3. Thunderbird looks up the configuration. Check that it found **IMAP** on port 993 and
   **SMTP** on port 587, then click **Done**.

If it found nothing, click **Configure manually** and enter `mail.example-hosting.net` for
both servers.""",
    ),
    (
        "Why are my emails going to spam? (SPF, DKIM and DMARC)",
        "email",
        ["spam", "spf", "dkim", "dmarc", "deliverability"],
        "PUBLIC",
        "PUBLISHED",
        """Receiving servers trust mail that proves where it comes from. Three DNS records do that:

* **SPF** lists the servers allowed to send for your domain:
  `v=spf1 include:_spf.example-hosting.net ~all`
* **DKIM** signs each message. Turn it on under **Email → Deliverability** and we publish the
  key for you if we host your DNS.
* **DMARC** tells receivers what to do when SPF or DKIM fail. Start with
  `v=DMARC1; p=none; rua=mailto:dmarc@yourdomain.com` and tighten it later.

Also check that you do not send bulk newsletters from your mailbox: use a newsletter service
for that, or your whole domain may be rated as spam.""",
    ),
    (
        "Create forwarders and auto-replies",
        "email",
        ["forwarder", "autoresponder", "alias"],
        "PUBLIC",
        "PUBLISHED",
        """**Forwarders** pass every message for an address on to one or more other addresses, with
or without keeping a copy. Create them under **Email → Forwarders**.

**Auto-replies** (out-of-office messages) answer every sender once every 24 hours. Set a start
and an end date so you do not forget to switch them off.

A **catch-all** address receives mail for addresses that do not exist. It attracts a lot of
spam, so we recommend leaving it off.""",
    ),
    (
        "Point your domain to us: nameservers and DNS records",
        "domains",
        ["dns", "nameservers", "a record", "mx record"],
        "PUBLIC",
        "PUBLISHED",
        """There are two ways to connect a domain registered elsewhere.

## Option 1: change the nameservers (recommended)
At your registrar, replace the nameservers with:

```
ns1.example-hosting.net
ns2.example-hosting.net
```

We then manage every DNS record for you.

## Option 2: keep your DNS and add records
Keep your current DNS provider and add:

* an **A record** for `@` and `www` pointing to the IP address shown under **Websites**,
* **MX records** `mx1.example-hosting.net` (priority 10) and `mx2.example-hosting.net`
  (priority 20) if your email is hosted with us.

## How long does DNS propagation take?
Changes are usually visible within an hour, but caches can keep old values for up to
48 hours.""",
    ),
    (
        "Transfer a domain to us",
        "domains",
        ["transfer", "auth code", "registrar"],
        "PUBLIC",
        "PUBLISHED",
        """1. At your current registrar, **unlock** the domain and request the **auth code**
   (also called EPP code or transfer key).
2. Make sure the domain is more than 60 days old and was not transferred in the last 60 days.
3. In our control panel choose **Domains → Transfer**, enter the domain and the auth code.
4. Confirm the email that the registry sends to the domain owner's address.

Transfers take 5-7 days for .com and .net and are usually immediate for .de and .eu. The
transfer adds one year to the registration, and your website and email keep working.""",
    ),
    (
        "Install a free SSL certificate (Let's Encrypt)",
        "hosting",
        ["ssl", "https", "certificate", "lets encrypt"],
        "PUBLIC",
        "PUBLISHED",
        """Every website gets a free Let's Encrypt certificate as soon as its domain points to us.

* Certificates renew automatically 30 days before they expire.
* To redirect every visitor to HTTPS, turn on **Websites → your site → Force HTTPS**.

### The certificate is not issued
Let's Encrypt checks the domain over plain HTTP. Issuing fails when:
* the domain does not point to us yet (see DNS propagation),
* a **CAA record** in your DNS does not allow `letsencrypt.org`,
* an `.htaccess` rule blocks `/.well-known/acme-challenge/`.

You can also upload your own certificate under **Websites → SSL**.""",
    ),
    (
        "Change the PHP version of a website",
        "hosting",
        ["php", "wordpress", "performance"],
        "PUBLIC",
        "PUBLISHED",
        """Each website can run its own PHP version. Open **Websites → your site → PHP** and pick a
version; the change is live within a minute.

We support the PHP versions that still receive security updates. Older versions are switched
to the oldest supported version after a three-month notice by email.

Before switching, test on a **staging site**: plugins and themes written for old PHP versions
sometimes break.""",
    ),
    (
        "Restore a website or database from a backup",
        "hosting",
        ["backup", "restore", "database"],
        "PUBLIC",
        "PUBLISHED",
        """We back up every website and database **every night** and keep the copies for 30 days.

To restore:
1. Open **Websites → your site → Backups**.
2. Pick a date and choose what to restore: files, database, or both.
3. Confirm. The current state is saved as an extra backup first, so a restore can be undone.

Restoring a single file? Use **Browse backup** and download just that file.""",
    ),
    (
        "Create API tokens",
        "developers",
        ["api", "token", "authentication"],
        "PUBLIC",
        "PUBLISHED",
        """API tokens let scripts and integrations act on your account.

1. Go to **Settings → API tokens → New token**.
2. Choose the **scopes** the token needs (for example `dns:write` only for a DNS script).
3. Copy the token: it is shown once.

Send it in the `Authorization` header:

```bash
curl -H "Authorization: Bearer $TOKEN" https://api.example-hosting.net/v2/domains
```

Revoke tokens you no longer use; every use is listed in the audit log.""",
    ),
    (
        "API rate limits",
        "developers",
        ["api", "rate limit", "429"],
        "PUBLIC",
        "PUBLISHED",
        """The API allows **600 requests per minute** per token. Over that, the API answers
`429 Too Many Requests` with a `Retry-After` header that says how many seconds to wait.

Tips:
* use pagination (`?limit=100`) instead of many small requests,
* cache answers that rarely change, such as the list of your domains,
* use webhooks instead of polling for changes.""",
    ),
    (
        "Receive events with webhooks",
        "developers",
        ["webhook", "api", "signature"],
        "CUSTOMERS",
        "PUBLISHED",
        """Webhooks send an HTTP POST to your URL when something happens: a domain renews, a backup
finishes, an invoice is issued.

Create them under **Settings → Webhooks**. Each request carries a `X-Signature` header: the
HMAC-SHA256 of the body with your webhook secret. Check it before you trust the payload.

We retry failed deliveries (anything but a 2xx answer) for 24 hours with increasing delays.""",
    ),
    (
        "Migrate a WordPress site to us",
        "hosting",
        ["wordpress", "migration"],
        "CUSTOMERS",
        "PUBLISHED",
        """Business and Pro plans include a **free migration** by our team: open a ticket with the
address of the site and temporary access to your old host.

Prefer to do it yourself?
1. Create the website in the control panel and install WordPress.
2. Install the *All-in-One WP Migration* plugin on both sites.
3. Export from the old site and import on the new one.
4. Change your DNS once you have checked the site on its temporary address.""",
    ),
    (
        "Playbook: refund requests after 30 days",
        "agent-playbooks",
        ["refund", "billing", "playbook"],
        "INTERNAL",
        "PUBLISHED",
        """Customers outside the 30-day guarantee sometimes ask for a refund.

* Up to 60 days and the service was unused: a supervisor may approve a full refund.
* Otherwise offer a **credit note** for the unused months instead of a refund.
* Never refund domain registrations: the registry does not refund us.

Tag the ticket `refund` and note the decision as an internal note.""",
    ),
    (
        "Playbook: account takeover suspicion",
        "agent-playbooks",
        ["security", "2fa", "playbook"],
        "INTERNAL",
        "PUBLISHED",
        """Signs: password reset requests the owner did not make, logins from new countries, changed
payout or DNS settings.

1. Lock the account (**Admin tools → Lock**), which ends every session.
2. Verify the owner's identity with the billing details on file, never by email alone.
3. Reset 2FA only after verification, and ask the owner to rotate API tokens.
4. Escalate to the security team (priority **Urgent**).""",
    ),
    (
        "SMS notifications for downtime (coming soon)",
        "getting-started",
        ["sms", "monitoring"],
        "PUBLIC",
        "DRAFT",
        """We are working on SMS alerts for website downtime. This article goes live with the
feature.""",
    ),
]

# Searches readers made, so the insights pages have something to show: (email, query).
DEMO_SEARCHES = [
    ("carol@customer.test", "reset password"),
    ("carol@customer.test", "pasword reset"),
    ("dave@customer.test", "invoice vat"),
    ("dave@customer.test", "refund"),
    ("erin@example.org", "mx record"),
    ("erin@example.org", "ssl certificate"),
    ("carol@customer.test", "outlook smtp"),
    ("dave@customer.test", "sms alerts"),
    ("erin@example.org", "kubernetes"),
    ("carol@customer.test", "gdpr data export"),
    ("dave@customer.test", "gdpr data export"),
    (None, "two factor"),
    (None, "dns propagation"),
    (None, "cancel subscription"),
    (None, "kubernetes"),
]

# Feedback and views, so lists and counters look lived-in: (article slug, views, votes).
DEMO_ENGAGEMENT = [
    ("how-to-reset-your-password", 412, [True, True, False]),
    ("understanding-your-invoice", 236, [True, True]),
    ("why-are-my-emails-going-to-spam-spf-dkim-and-dmarc", 198, [True, False]),
    ("point-your-domain-to-us-nameservers-and-dns-records", 177, [True]),
    ("set-up-your-email-in-outlook", 154, [False]),
    ("install-a-free-ssl-certificate-lets-encrypt", 121, [True]),
]
