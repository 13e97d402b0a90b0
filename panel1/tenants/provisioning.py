"""Provisioning steps other apps add (default SLA profile, categories, ...).

`panel1` must not import the domain apps, so each app registers its step in `ready()`; the
provisioning service runs them, in registration order, inside the new tenant's schema.
Steps must be idempotent: provisioning the same tenant twice changes nothing.
"""

from collections.abc import Callable

ProvisionStep = Callable[..., None]
_steps: dict[str, ProvisionStep] = {}


def register_step(key: str, step: ProvisionStep) -> None:
    _steps[key] = step


def registered_steps() -> list[tuple[str, ProvisionStep]]:
    return list(_steps.items())


# Demo data steps (manage.py seed_demo): each app adds realistic sample data for its part.
_demo_steps: dict[str, ProvisionStep] = {}


def register_demo_step(key: str, step: ProvisionStep) -> None:
    _demo_steps[key] = step


def registered_demo_steps() -> list[tuple[str, ProvisionStep]]:
    return list(_demo_steps.items())
