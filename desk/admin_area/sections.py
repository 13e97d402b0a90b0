"""The desk's own admin-area sections (registered in DeskConfig.ready())."""

from desk.admin_area.registry import ADMINS, AdminSection, register_section

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
        description="When something happens to a ticket, check conditions and act; try a rule first with a dry run.",
        group="Workflow",
        order=10,
    ),
)


def register_desk_sections() -> None:
    for section in DESK_SECTIONS:
        register_section(section)


__all__ = ["ADMINS", "register_desk_sections"]
