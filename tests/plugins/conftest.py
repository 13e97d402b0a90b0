import copy
from pathlib import Path

import pytest

from panel1.plugins.registry import registry
from tests.plugins import sample


@pytest.fixture(autouse=True)
def sample_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates


@pytest.fixture
def plugin_tenant(tenant):
    """The platform's own tests use the suite's tenant A."""
    return tenant


@pytest.fixture
def echo(plugin_env):
    sample.SEEN.clear()
    plugin_env.register(sample.Echo)
    return plugin_env


@pytest.fixture(autouse=True)
def _restore_registry():
    yield
    registry.load()
