"""Hook and action entry points of layer:charmsmith-base, and the ``config.*`` flags.

The hook template and the action scripts exec ``python -c`` calling :func:`hook_main` or
:func:`action_main`. Importing this module stays standard-library only: the first hook imports
it with the system Python, before the venv exists. The config flags are upstream layer-basic's
(lib/charms/layer/basic.py), so handlers written for layer-basic work unchanged.

Details: docs/build.md, 'How a hook runs on the unit'.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

from charms.layer import charmsmith_bootstrap

PREVIOUS_CONFIG_KEY = "charmsmith-base.previous-config"
CONFIG_DEFAULTS_KEY = "charmsmith-base.config-defaults"
CONFIG_FLAG_PREFIXES = ("config.changed.", "config.set.", "config.default.")


def _load_entry(spec: str) -> Callable[..., Any]:
    """Resolve "package.module:function"; a typo is a build-time bug, so it raises."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"entry point {spec!r} is not of the form 'module:function'")
    return getattr(importlib.import_module(module_name), attr)


def _enter(path: str) -> str:
    """Common start of hooks and actions: argv as Juju gave it, venv active, charm dir cwd."""
    sys.argv = [path]
    name = os.path.basename(path)
    charmsmith_bootstrap.activate(name)
    venv_bin = os.path.join(charmsmith_bootstrap.venv_dir(), "bin")
    path_dirs = os.environ.get("PATH", "").split(os.pathsep)
    if venv_bin not in path_dirs:
        os.environ["PATH"] = os.pathsep.join([venv_bin, *path_dirs])
    return name


def hook_main() -> None:
    """Run the hook named by ``sys.argv[1]`` (the hook template passes ``$0``)."""
    hook = _enter(sys.argv[1] if len(sys.argv) > 1 else sys.argv[0])
    os.environ.setdefault("JUJU_HOOK_NAME", hook)
    if hook == "update-status":
        from charms.layer import options

        entry = options.get("charmsmith-base", "update_status_entry")
        if entry:
            _load_entry(entry)()
            return
    from charmhelpers.core import hookenv
    from charms.layer import charmsmith_flagcache, charmsmith_hookfacts, charmsmith_hooklog
    from charms.reactive import main

    # The few hundred modules imported so far live as long as the process: moving them out of
    # the collector's generations spares every later collection a walk over all of them.
    gc.freeze()
    hook_log = charmsmith_hooklog.install()
    charmsmith_flagcache.install()
    charmsmith_hookfacts.install(hook)
    hookenv.metadata = metadata_reader(hookenv.charm_dir)
    hookenv.atstart(quiet_tracer_unless_debug)
    hookenv.atstart(set_config_flags)
    hookenv.atexit(clear_config_flags)
    try:
        main()
    finally:
        hook_log.flush()


def metadata_reader(charm_dir: Callable[[], str]) -> Callable[[], dict[str, Any]]:
    """charm-helpers' ``hookenv.metadata``, parsed with libyaml when PyYAML has it.

    charms.reactive's endpoint start-up reads metadata.yaml in every hook; PyYAML's pure-Python
    loader takes a few milliseconds on it, the C one a tenth of that, with the same result (the
    same safe constructor). Parsed once per process, as charm-helpers' cached helper is.
    """
    parsed: list[dict[str, Any]] = []

    def metadata() -> dict[str, Any]:
        if not parsed:
            import yaml

            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            with open(os.path.join(charm_dir(), "metadata.yaml"), "rb") as handle:
                parsed.append(yaml.load(handle, Loader=loader))
        return parsed[0]

    return metadata


def quiet_tracer_unless_debug() -> None:
    """atstart callback: keep charms.reactive's flag tracer only when ``debug`` is true.

    The tracer re-reads every flag from the kv store on each flag change and logs the whole
    dispatch plan; with ``debug`` off that is most of a steady-state hook's CPU time and log
    volume. charms.reactive installs it in an earlier atstart callback, so this one runs after.
    """
    from charmhelpers.core import hookenv
    from charms.reactive import trace

    if not hookenv.config().get("debug"):
        trace.install_tracer(trace.NullTracer())


def action_main() -> None:
    """Run an action: ``python -c ... action_main()`` ``$0`` ``module:function``.

    The function gets the action name (the script's basename), so one implementation can
    serve every action of a layer.
    """
    if len(sys.argv) < 3:
        raise SystemExit("usage: action_main ACTION_PATH module:function")
    spec = sys.argv[2]
    action = _enter(sys.argv[1])
    _load_entry(spec)(action)


def config_defaults(kv: Any) -> dict[str, Any]:
    """Defaults declared in the charm's merged config.yaml (options without one are absent).

    Parsing the YAML costs more than the rest of the config flags together, and config.yaml
    only changes with the charm (upgrade-charm), so the parsed defaults are kept in the unit kv
    under the file's digest and parsed again only when the file's bytes differ.
    """
    path = os.path.join(charmsmith_bootstrap.charm_dir(), "config.yaml")
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}
    digest = hashlib.sha256(raw).hexdigest()
    kept = kv.get(CONFIG_DEFAULTS_KEY) or {}
    if kept.get("digest") == digest:
        return dict(kept["defaults"])
    import yaml

    declared = (yaml.safe_load(raw) or {}).get("options") or {}
    defaults = {
        name: spec["default"] for name, spec in declared.items() if "default" in (spec or {})
    }
    kv.set(CONFIG_DEFAULTS_KEY, {"digest": digest, "defaults": defaults})
    return defaults


def compute_config_flags(
    current: dict[str, Any], previous: dict[str, Any] | None, defaults: dict[str, Any]
) -> set[str]:
    """The config flags for one hook. Pure, so it is tested without hook tools.

    ``previous is None`` means no hook stored a config yet: everything counts as changed,
    which is what install-time handlers waiting on ``config.changed`` expect. An option that is
    absent and one that is unset (null) are the same to Juju, so only a differing value counts:
    otherwise every option without a default would look changed in every hook.
    """
    flags: set[str] = set()
    for name in sorted(set(current) | set(defaults) | set(previous or ())):
        value = current.get(name)
        if previous is None or previous.get(name) != value:
            flags.add(f"config.changed.{name}")
        if value:
            flags.add(f"config.set.{name}")
        if name in defaults and value == defaults[name]:
            flags.add(f"config.default.{name}")
    if any(flag.startswith("config.changed.") for flag in flags):
        flags.add("config.changed")
    return flags


def set_config_flags() -> None:
    """atstart callback: bring the config flags to this hook's set.

    Only the differences are set or cleared: each set or clear makes charms.reactive re-read
    every flag, and in a steady-state hook the ``config.set.*`` and ``config.default.*`` flags
    kept from the previous hook (see :func:`clear_config_flags`) are already the right ones.
    """
    from charmhelpers.core import hookenv, unitdata
    from charms.reactive import clear_flag, get_flags, set_flag

    kv = unitdata.kv()
    wanted = compute_config_flags(
        dict(hookenv.config()), kv.get(PREVIOUS_CONFIG_KEY), config_defaults(kv)
    )
    present = {flag for flag in get_flags() if is_config_flag(flag)}
    for flag in sorted(present - wanted):
        clear_flag(flag)
    for flag in sorted(wanted - present):
        set_flag(flag)


def is_config_flag(flag: str) -> bool:
    return flag == "config.changed" or flag.startswith(CONFIG_FLAG_PREFIXES)


def config_flag_triggers(kv: Any) -> bool:
    """Whether a charms.reactive trigger watches a config flag.

    charms.reactive keeps every registered trigger in the unit kv under these prefixes
    (what charms.reactive's register_trigger writes).
    """
    prefixes = ("reactive.flag_set_triggers.config.", "reactive.flag_clear_triggers.config.")
    return any(kv.getrange(prefix) for prefix in prefixes)


def clear_config_flags() -> None:
    """atexit callback: drop the config.changed flags and remember this hook's config.

    ``config.set.*`` and ``config.default.*`` stay set until an option's value moves, so the
    next hook need not raise them again. Upstream's layer:basic clears them too; when a
    trigger watches a config flag, they are cleared as upstream does, so the trigger fires in
    every hook as it would there.
    """
    from charmhelpers.core import hookenv, unitdata
    from charms.reactive import clear_flag, get_flags

    kv = unitdata.kv()
    kept = () if config_flag_triggers(kv) else ("config.set.", "config.default.")
    for flag in get_flags():
        if is_config_flag(flag) and not flag.startswith(kept):
            clear_flag(flag)
    kv.set(PREVIOUS_CONFIG_KEY, dict(hookenv.config()))
