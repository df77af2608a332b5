"""Render the charm's managed files and work out which services must restart.

Templates are searched by the unit's release (falling back to earlier releases, then the
charm's and the runtime's shared templates), so a charm only adds a release directory when a
file really changes in it. Files are written atomically, 0640 root:<group> (haproxy.cfg, which
holds the stats password, root:root); only files whose bytes changed restart their services,
once each, so a steady-state hook restarts nothing, and a render whose inputs are the previous
hook's is skipped without importing Jinja (_render_memo.py). Undefined names render empty:
relations arrive in any order. Details: docs/architecture.md, 'Rendering'.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import reactive_openstack._render_memo as render_memo
from reactive_openstack._api_support import HAPROXY_CFG
from reactive_openstack._endpoints import bracket
from reactive_openstack.releases import CODENAMES

if TYPE_CHECKING:
    import jinja2

    from reactive_openstack._charm_view import Charm

__all__ = [
    "BUNDLED_TEMPLATES",
    "TemplateMissing",
    "file_group",
    "make_environment",
    "render_and_restart",
    "render_configs",
    "render_text",
    "services_to_restart",
    "template_search_path",
]

#: The runtime's own templates (package data): the loader's last resort.
BUNDLED_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
DEFAULT_MODE = 0o640

#: Files holding secrets that only root may read, whatever the charm's group.
_ROOT_ONLY = frozenset({HAPROXY_CFG})


class TemplateMissing(LookupError):
    """No template for a managed file: names the candidates and where we looked."""

    def __init__(self, path: str, names: list[str], search_path: list[str]) -> None:
        self.path = path
        super().__init__(
            f"no template for {path}: looked for {' or '.join(names)} in {', '.join(search_path)}"
        )


def template_search_path(charm_dir: str, release: str | None) -> list[str]:
    """Directories searched for templates, most specific first (only existing ones).

    With an unknown release only its own directory is tried before ``templates/``; with no
    release every release directory is tried, newest first.
    """
    base = os.path.join(charm_dir, "templates")
    candidates: list[str] = []
    if release in CODENAMES:
        index = CODENAMES.index(release)
        candidates.extend(os.path.join(base, name) for name in reversed(CODENAMES[: index + 1]))
    elif release:
        candidates.append(os.path.join(base, release))
    else:
        candidates.extend(os.path.join(base, name) for name in reversed(CODENAMES))
    candidates.append(base)
    found = [path for path in candidates if os.path.isdir(path)]
    found.append(BUNDLED_TEMPLATES)
    return found


def _finalize(value: Any) -> Any:
    """``None`` (unset config, absent relation data) renders as nothing, never as 'None'."""
    return "" if value is None else value


def make_environment(search_path: list[str]) -> jinja2.Environment:
    """The Jinja environment all managed files render with (settings in the module docstring)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        undefined=jinja2.ChainableUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=_finalize,
    )
    env.filters["bracket"] = _bracket_filter
    return env


def _bracket_filter(value: Any) -> str:
    """``{{ address | bracket }}``: IPv6 literals in brackets, ready for ``:port``."""
    return bracket(str(value)) if value else ""


def _template_names(path: str) -> list[str]:
    flattened = path.replace(os.sep, "_").lstrip("_")
    names = [os.path.basename(path)]
    if flattened not in names:
        names.append(flattened)
    return names


def _load(env: jinja2.Environment, path: str, search_path: list[str]) -> jinja2.Template:
    import jinja2

    names = _template_names(path)
    for name in names:
        try:
            return env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            if exc.name != name:
                raise  # the template exists but includes a missing part: report that part
    raise TemplateMissing(path, names, search_path)


def render_text(charm: Charm, adapters: Mapping[str, Any], path: str) -> str:
    """Render the template for managed file ``path`` without writing it (previews, tests)."""
    search_path = template_search_path(charm.host.charm_dir, getattr(charm, "release", None))
    env = make_environment(search_path)
    return _load(env, path, search_path).render(dict(adapters))


def file_group(charm: Charm, path: str) -> str:
    """Group owning a managed file: the service group, except for root-only secret files."""
    if path in _ROOT_ONLY:
        return "root"
    return getattr(charm, "group", None) or "root"


def _file_mode(charm: Charm, path: str) -> int:
    overrides = getattr(charm, "permission_override_map", None) or {}
    return int(overrides.get(path, DEFAULT_MODE))


def render_configs(
    charm: Charm, adapters: Mapping[str, Any], paths: Iterable[str] | None = None
) -> list[str]:
    """Render ``paths`` (default: every file of ``charm.full_restart_map``); return changed paths.

    Side files the adapters point at (database/RabbitMQ client TLS material) are written first,
    so a config never references a file that does not exist yet. Changed paths keep the order of
    the restart map, which is what makes restarts ordered and stable. When nothing the render
    depends on changed since the previous hook, the templates are not rendered at all.
    """
    host = charm.host
    targets = list(paths) if paths is not None else list(charm.full_restart_map)
    search_path = template_search_path(host.charm_dir, getattr(charm, "release", None))
    changed: list[str] = []

    support = getattr(adapters, "support_files", None)
    for path, content in (support() if callable(support) else {}).items():
        if host.write_file(
            path, content, mode=DEFAULT_MODE, owner="root", group=file_group(charm, path)
        ):
            changed.append(path)

    plan = [(path, _file_mode(charm, path), file_group(charm, path)) for path in targets]
    key = render_memo.inputs_key(getattr(charm, "release", None), plan, search_path)
    unchanged = render_memo.unchanged_files(host, adapters, key)
    if unchanged is not None:
        host.log("rendering: inputs as in the previous hook, nothing rendered", "DEBUG")
        for path, mode, group in plan:  # same bytes: only a drifted mode or owner is put back
            host.write_file(path, unchanged[path], mode=mode, owner="root", group=group)
        return changed
    host.kv_unset(render_memo.MEMO_KV_KEY)  # a render that fails half-way leaves no record
    env = make_environment(search_path)
    recorder = render_memo.Recorder()
    context = recorder.wrap(adapters)
    written: dict[str, bytes] = {}
    for path, mode, group in plan:
        content = _load(env, path, search_path).render(context).encode("utf-8")
        written[path] = content
        if host.write_file(path, content, mode=mode, owner="root", group=group):
            changed.append(path)
    render_memo.remember(host, recorder, key, written)
    return changed


def services_to_restart(charm: Charm, changed_paths: Iterable[str]) -> list[str]:
    """Services mapped to any changed path, each once, in restart-map order of the paths."""
    restart_map: Mapping[str, list[str]] = charm.full_restart_map
    services: list[str] = []
    for path in changed_paths:
        for service in restart_map.get(path, ()):
            if service not in services:
                services.append(service)
    return services


def render_and_restart(
    charm: Charm, adapters: Mapping[str, Any], paths: Iterable[str] | None = None
) -> list[str]:
    """Render, then restart exactly the services whose files changed; return them.

    Charms with their own restart policy (stop/start, reload, paused units) should call
    :func:`render_configs` and :func:`services_to_restart` themselves.
    """
    import reactive_openstack._services as service_control

    services = services_to_restart(charm, render_configs(charm, adapters, paths))
    for service in services:
        service_control.restart(charm, service)
    return services
