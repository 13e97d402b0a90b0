"""`manage.py plugins list | info NAME | enable NAME --schema S | disable NAME --schema S |
validate PATH_OR_NAME | new NAME [--dir DIR]`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from panel1.plugins.base import PERMISSIONS


class Command(BaseCommand):
    help = "Inspect, validate, scaffold and switch plugins on or off per tenant."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Installed plugins (and refused ones)")
        info = sub.add_parser("info", help="A plugin's metadata and its state in each tenant")
        info.add_argument("name")
        for action in ("enable", "disable"):
            cmd = sub.add_parser(action, help=f"{action.title()} a plugin for one tenant")
            cmd.add_argument("name")
            cmd.add_argument("--schema", required=True)
        validate = sub.add_parser("validate", help="Check a plugin by name, directory or path")
        validate.add_argument(
            "target",
            help="an installed plugin's name, a plugin package "
            "directory (with pyproject.toml), or module:Class",
        )
        new = sub.add_parser("new", help="Scaffold a plugin package with tests")
        new.add_argument("name")
        new.add_argument("--dir", default="plugins", help="parent directory (default plugins/)")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    # --- list / info --------------------------------------------------------------------

    def _list(self, **options):
        from panel1.plugins.registry import registry

        for plugin in registry.all():
            self.stdout.write(
                f"{plugin.name:20} {plugin.version:10} {', '.join(plugin.permissions) or '-':30} "
                f"{plugin.source}"
            )
        for error in registry.errors:
            self.stdout.write(self.style.ERROR(f"refused: {error}"))
        if not registry.all() and not registry.errors:
            self.stdout.write("No plugins installed.")

    def _info(self, *, name, **options):
        from panel1.plugins.registry import registry

        plugin = registry.get(name)
        if plugin is None:
            raise CommandError(f"No plugin {name!r} is installed.")
        for key, value in plugin.info().items():
            if isinstance(value, list):
                value = ", ".join(value) or "-"
            self.stdout.write(f"{key:22} {value}")
        for permission in plugin.permissions:
            self.stdout.write(f"  {permission}: {PERMISSIONS[permission]}")
        self.stdout.write("tenants:")
        for schema, line in self._tenant_states(name):
            self.stdout.write(f"  {schema:20} {line}")

    def _tenant_states(self, name):
        from django_tenants.utils import schema_context

        from panel1.jobs import tenant_schema_names
        from panel1.plugins.models import PluginState
        from panel1.plugins.services import plugin_forbidden

        for schema in tenant_schema_names():
            with schema_context(schema):
                state = PluginState.objects.filter(plugin=name).first()
                forbidden = plugin_forbidden(name)
            status = "enabled" if state and state.enabled else "disabled"
            failures = state.failure_count if state else 0
            yield schema, f"{status}{' (forbidden)' if forbidden else ''}, {failures} failures"

    # --- enable / disable ---------------------------------------------------------------

    def _switch(self, service, name, schema):
        from django_tenants.utils import schema_context

        from panel1.actors import Actor
        from panel1.exceptions import DomainError
        from panel1.jobs import tenant_schema_names

        if schema not in tenant_schema_names():
            raise CommandError(f"No tenant with schema {schema!r}.")
        with schema_context(schema):
            try:
                state = service(name=name, actor=Actor(label="system"))
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"{name}: {'enabled' if state.enabled else 'disabled'} in {schema}")

    def _enable(self, *, name, schema, **options):
        from panel1.plugins.services import plugin_enable

        self._switch(plugin_enable, name, schema)

    def _disable(self, *, name, schema, **options):
        from panel1.plugins.services import plugin_disable

        self._switch(plugin_disable, name, schema)

    # --- validate -----------------------------------------------------------------------

    def _validate(self, *, target, **options):
        from panel1.plugins.validation import check_migrations, validate_plugin

        plugins, errors = _load_target(target)
        for plugin in plugins:
            errors += validate_plugin(plugin)
            if not errors:
                errors += check_migrations(plugin)
        for error in errors:
            self.stderr.write(self.style.ERROR(str(error)))
        if errors:
            raise CommandError(f"{len(errors)} problem(s) found.")
        for plugin in plugins:
            self.stdout.write(self.style.SUCCESS(f"{plugin.name} {plugin.version}: valid"))

    # --- new ----------------------------------------------------------------------------

    def _new(self, *, name, dir, **options):
        from panel1.plugins.scaffold import scaffold
        from panel1.plugins.validation import NAME_RE

        if not NAME_RE.match(name):
            raise CommandError("Use 3-50 lower-case letters, digits, - or _ for the name.")
        target = Path(dir) / name
        if target.exists():
            raise CommandError(f"{target} exists already.")
        for path in scaffold(name=name, target=target):
            self.stdout.write(f"created {path}")
        self.stdout.write(
            f"Install it with `pip install -e {target}` (or `make install`), then "
            f"`manage.py plugins validate {name}`."
        )


def _load_target(target: str):
    """(plugins, errors) for a name, a package directory, or module:Class."""
    from django.utils.module_loading import import_string

    from panel1.plugins.base import Plugin, PluginError
    from panel1.plugins.registry import registry

    path = Path(target)
    if path.is_dir():
        return _load_directory(path)
    if ":" in target or "." in target:
        try:
            cls = import_string(target.replace(":", "."))
        except ImportError as exc:
            return [], [PluginError(target, "import", str(exc))]
        if not (isinstance(cls, type) and issubclass(cls, Plugin)):
            return [], [PluginError(target, "class", "is not a panel1.plugins.Plugin subclass")]
        return [cls()], []
    plugin = registry.get(target)
    if plugin is not None:
        return [plugin], []
    refused = [e for e in registry.errors if e.plugin == target]
    return [], refused or [PluginError(target, "name", "no such plugin is installed")]


def _load_directory(path: Path):
    import tomllib

    from django.utils.module_loading import import_string

    from panel1.plugins.base import PluginError

    pyproject = path / "pyproject.toml"
    if not pyproject.exists():
        return [], [PluginError(str(path), "pyproject.toml", "missing")]
    data = tomllib.loads(pyproject.read_text())
    points = data.get("project", {}).get("entry-points", {}).get("panel1.plugins", {})
    if not points:
        return [], [PluginError(str(path), "entry-points", "no `panel1.plugins` entry point")]
    sys.path.insert(0, str(path.resolve()))
    plugins, errors = [], []
    for ep_name, value in points.items():
        try:
            plugins.append(import_string(value.replace(":", "."))())
        except Exception as exc:
            errors.append(PluginError(ep_name, "import", f"{type(exc).__name__}: {exc}"))
    return plugins, errors
