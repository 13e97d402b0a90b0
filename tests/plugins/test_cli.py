"""`manage.py plugins ...`."""

import importlib.util
import io
import sys

import pytest
from django.core.management import CommandError, call_command

from panel1.plugins.models import PluginState


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("plugins", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_list_shows_installed_plugins(echo):
    output = run("list")
    assert "echo" in output and "1.2.0" in output and "tickets:read" in output
    assert "redaction" in output  # installed with `make install` (plugins/redaction)


def test_info_shows_metadata_permissions_and_tenants(echo):
    echo.enable("echo")
    output = run("info", "echo")
    assert "Read tickets and their messages" in output
    assert "t_alpha" in output and "enabled" in output


def test_enable_and_disable_per_schema(echo):
    assert "enabled in t_alpha" in run("enable", "echo", "--schema", "t_alpha")
    assert PluginState.objects.get(plugin="echo").enabled
    run("disable", "echo", "--schema", "t_alpha")
    assert not PluginState.objects.get(plugin="echo").enabled
    with pytest.raises(CommandError, match="No tenant"):
        run("enable", "echo", "--schema", "nope")
    with pytest.raises(CommandError, match="No plugin"):
        run("enable", "nope", "--schema", "t_alpha")


def test_enable_refuses_a_forbidden_plugin(echo):
    from panel1.actors import Actor
    from panel1.plugins.services import plugin_forbid

    plugin_forbid(tenant=echo.tenant, name="echo", actor=Actor())
    with pytest.raises(CommandError, match="does not allow"):
        run("enable", "echo", "--schema", "t_alpha")


def test_validate_by_name_path_and_class(echo):
    assert "echo 1.2.0: valid" in run("validate", "echo")
    assert "redaction 1.0.0: valid" in run("validate", "plugins/redaction")
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("plugins", "validate", "tests.plugins.test_discovery:BadPlugin", stderr=err)
    assert "plugin 'Bad Name': permissions: unknown permission 'tickets:delete'" in err.getvalue()
    with pytest.raises(CommandError):
        run("validate", "no-such-plugin")


def test_new_scaffolds_a_working_plugin(plugin_env, tmp_path):
    output = run("new", "hello-world", "--dir", str(tmp_path))
    target = tmp_path / "hello-world"
    assert "created" in output and (target / "pyproject.toml").exists()
    assert "hello-world 0.1.0: valid" in run("validate", str(target))
    with pytest.raises(CommandError, match="exists"):
        run("new", "hello-world", "--dir", str(tmp_path))
    # The scaffold's own tests pass (run here in one test environment, in order).
    sys.path.insert(0, str(target))
    try:
        tests = _load(target)
        tests.test_inert_until_enabled(plugin_env)
        tests.test_event_hook_counts_new_tickets(plugin_env)
        tests.test_filter_trims_messages(plugin_env)
        tests.test_slot_greets_with_the_tenant_setting(plugin_env)
        tests.test_condition_field_for_automation_rules(plugin_env)
        tests.test_notification_channel_keeps_the_notice(plugin_env)
    finally:
        sys.path.remove(str(target))


def _load(target):
    spec = importlib.util.spec_from_file_location(
        "scaffold_tests", target / "tests" / "test_panel1_hello_world.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
