"""The desk's own admin-area sections (registered in DeskConfig.ready())."""

from desk.admin_area.registry import ADMINS, STAFF, AdminSection, register_section

DESK_SECTIONS = (
    AdminSection(
        key="sla",
        title="SLA profiles",
        url_name="desk:admin-sla",
        description="Targets, business hours, holidays and escalations.",
        group="Service levels",
        order=10,
    ),
    AdminSection(
        key="automation",
        title="Automation rules",
        url_name="desk:admin-automation",
        description="When something happens to a ticket, check conditions and act; "
        "try a rule first with a dry run.",
        group="Workflow",
        order=10,
    ),
    AdminSection(
        key="canned",
        title="Canned responses",
        url_name="desk:admin-canned",
        description="Saved replies: the team's shared ones and your own.",
        group="Workflow",
        order=20,
        roles=STAFF,
    ),
    AdminSection(
        key="categories",
        title="Categories",
        url_name="desk:admin-categories",
        description="What tickets are about; used by routing, SLA profiles and reports.",
        group="Workflow",
        order=30,
    ),
    AdminSection(
        key="agents",
        title="Agents and roles",
        url_name="desk:admin-agents",
        description="Invite people, set roles and the categories each agent works.",
        group="People",
        order=10,
        roles=ADMINS,
    ),
    AdminSection(
        key="email",
        title="Email",
        url_name="desk:admin-email",
        description="Support addresses and the notification texts, with a live preview.",
        group="Channels",
        order=10,
        roles=ADMINS,
    ),
    AdminSection(
        key="settings",
        title="Portal and branding",
        url_name="desk:admin-settings",
        description="Name, colour, logo, ticket numbers and what customers may do.",
        group="Channels",
        order=20,
        roles=ADMINS,
    ),
    AdminSection(
        key="attachments",
        title="Attachments",
        url_name="desk:admin-attachments",
        description="File types nobody may upload, in the desk, the portal, the API or by mail.",
        group="Channels",
        order=30,
        roles=ADMINS,
    ),
    AdminSection(
        key="kb-articles",
        title="Knowledge base articles",
        url_name="desk:admin-kb",
        description="Write and edit articles with a live preview, images and links.",
        group="Knowledge",
        order=10,
        roles=STAFF,
    ),
    AdminSection(
        key="texts",
        title="Texts per language",
        url_name="desk:admin-texts",
        description="The portal welcome text, the survey questions and the auto-responses "
        "in each language the help center offers.",
        group="Channels",
        order=15,
        roles=ADMINS,
    ),
    AdminSection(
        key="kb-translations",
        title="Missing translations",
        url_name="desk:admin-kb-translations",
        description="Articles not yet translated into each language the help center offers.",
        group="Knowledge",
        order=15,
        roles=STAFF,
    ),
    AdminSection(
        key="kb-insights",
        title="Knowledge base insights",
        url_name="desk:admin-kb-insights",
        description="What customers search for, what they do not find, and what they said "
        "was missing from an article.",
        group="Knowledge",
        order=20,
        roles=STAFF,
    ),
    AdminSection(
        key="mail-outbox",
        title="Mail outbox (demo)",
        url_name="desk:admin-mail-outbox",
        description="Every mail the demo sent, instead of real mailboxes.",
        group="System",
        order=90,
        demo_only=True,
    ),
)


def register_desk_sections() -> None:
    for section in DESK_SECTIONS:
        register_section(section)


__all__ = ["register_desk_sections"]
