"""django-q2 entry points of the desk (run per tenant by panel1.jobs)."""


def presence_prune_task() -> int:
    from desk.services import presence_prune

    return presence_prune()
