"""django-q2 entry points (run in the tenant's schema by panel1.jobs.run_in_schema)."""

from panel1.privacy import services


def privacy_export_build_task(export_id: str) -> None:
    services.privacy_export_build(export_id=export_id)


def privacy_erasure_run_task(erasure_id: str) -> None:
    services.privacy_erasure_run(erasure_id=erasure_id)


def retention_prune_task() -> dict[str, int]:
    from panel1.privacy.retention import retention_prune

    return retention_prune()
