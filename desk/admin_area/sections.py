"""The desk's own admin-area sections (registered in DeskConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from desk.admin_area.registry import ADMINS, STAFF, AdminSection, register_section

DESK_SECTIONS = (
    AdminSection(
        key="sla",
        title=_("SLA profiles"),
        url_name="desk:admin-sla",
        description=_("Targets, business hours, holidays and escalations."),
        group="Service levels",
        order=10,
    ),
    AdminSection(
        key="automation",
        title=_("Automation rules"),
        url_name="desk:admin-automation",
        description=_(
            "When something happens to a ticket, check conditions and act; "
            "try a rule first with a dry run."
        ),
        group="Workflow",
        order=10,
    ),
    AdminSection(
        key="canned",
        title=_("Canned responses"),
        url_name="desk:admin-canned",
        description=_("Saved replies: the team's shared ones and your own."),
        group="Workflow",
        order=20,
        roles=STAFF,
    ),
    AdminSection(
        key="categories",
        title=_("Categories"),
        url_name="desk:admin-categories",
        description=_("What tickets are about; used by routing, SLA profiles and reports."),
        group="Workflow",
        order=30,
    ),
    AdminSection(
        key="agents",
        title=_("Agents and roles"),
        url_name="desk:admin-agents",
        description=_("Invite people, set roles and the categories each agent works."),
        group="People",
        order=10,
        roles=ADMINS,
    ),
    AdminSection(
        key="email",
        title=_("Email"),
        url_name="desk:admin-email",
        description=_("Support addresses and the notification texts, with a live preview."),
        group="Channels",
        order=10,
        roles=ADMINS,
    ),
    AdminSection(
        key="settings",
        title=_("Portal and branding"),
        url_name="desk:admin-settings",
        description=_("Name, colour, logo, ticket numbers and what customers may do."),
        group="Channels",
        order=20,
        roles=ADMINS,
    ),
    AdminSection(
        key="attachments",
        title=_("Attachments"),
        url_name="desk:admin-attachments",
        description=_("File types nobody may upload, in the desk, the portal, the API or by mail."),
        group="Channels",
        order=30,
        roles=ADMINS,
    ),
    AdminSection(
        key="kb-articles",
        title=_("Knowledge base articles"),
        url_name="desk:admin-kb",
        description=_("Write and edit articles with a live preview, images and links."),
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
        title=_("Knowledge base insights"),
        url_name="desk:admin-kb-insights",
        description=_(
            "What customers search for, what they do not find, and what they said "
            "was missing from an article."
        ),
        group="Knowledge",
        order=20,
        roles=STAFF,
    ),
    AdminSection(
        key="mail-outbox",
        title=_("Mail outbox (demo)"),
        url_name="desk:admin-mail-outbox",
        description=_("Every mail the demo sent, instead of real mailboxes."),
        group="System",
        order=90,
        demo_only=True,
    ),
)


def register_desk_sections() -> None:
    for section in DESK_SECTIONS:
        register_section(section)


__all__ = ["register_desk_sections"]
