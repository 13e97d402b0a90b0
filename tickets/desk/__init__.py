"""The agent desk (/desk/): queues, saved views, the ticket page, dashboard.

Views are thin: reads come from `tickets.desk.queues` / `tickets.selectors` (visibility via
`Ticket.objects.visible_to`), writes go through `tickets.services` and `tickets.desk.services`.
"""
