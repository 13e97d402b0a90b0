"""The agent desk (/desk/): queues, saved views, the ticket page, dashboard.

An interface app above `tickets`, `sla`, `knowledgebase` and `automation`: views are thin,
reads come from `desk.queues` and the domain apps' selectors (visibility via
`Ticket.objects.visible_to`), writes go through `tickets.services` and `desk.services`.
"""
