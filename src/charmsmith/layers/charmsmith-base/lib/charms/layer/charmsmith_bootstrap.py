"""Offline bootstrap of the charm's venv from its wheelhouse. Standard library only.

It runs first with the unit's system ``python3``, before anything from the wheelhouse is
importable. Units have no package index (and must not need one), so pip is confined to
``wheelhouse/``; sdists are installed in stages so that each finds its build backend already
installed, and a fingerprint marker lets ordinary hooks skip all of this.

Details: docs/build.md, 'Offline guarantee'.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

MARKER_NAME = ".charmsmith-bootstrapped"

# Install order for building sdists without build isolation: each stage only needs build
# backends installed by an earlier stage (or self-bootstrapping ones in stage one).
STAGES: tuple[tuple[str, ...], ...] = (
    ("setuptools", "flit-core"),
    ("packaging", "wheel", "pbr", "setuptools-scm"),
)


class BootstrapError(RuntimeError):
    """The venv could not be built; the message carries pip's output."""


def charm_dir() -> str:
    """The charm directory: Juju's variables first, else the working directory."""
    return os.environ.get("JUJU_CHARM_DIR") or os.environ.get("CHARM_DIR") or os.getcwd()


def venv_dir() -> str:
    """``../.venv`` next to the charm dir, as layer-basic does, so upgrades keep their venv."""
    return os.path.abspath(os.path.join(charm_dir(), "..", ".venv"))


def venv_python() -> str:
    return os.path.join(venv_dir(), "bin", "python")


def marker_path() -> str:
    return os.path.join(venv_dir(), MARKER_NAME)


def wheelhouse_dir() -> str:
    return os.path.join(charm_dir(), "wheelhouse")


def in_venv() -> bool:
    """True when this interpreter is the charm venv's."""
    return os.path.realpath(sys.prefix) == os.path.realpath(venv_dir())


def project_name(filename: str) -> str:
    """Normalised project name of a wheel or sdist file name (PEP 503 style)."""
    stem = re.sub(r"(\.tar\.gz|\.tar\.bz2|\.zip|\.whl)$", "", filename)
    name = stem.split("-", 1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def archives() -> list[str]:
    """Installable files of the wheelhouse, sorted for a stable fingerprint and pip order."""
    directory = wheelhouse_dir()
    if not os.path.isdir(directory):
        return []
    return sorted(
        os.path.join(directory, name)
        for name in os.listdir(directory)
        if not name.startswith(".") and re.search(r"\.(tar\.gz|tar\.bz2|zip|whl)$", name)
    )


def fingerprint(system_site_packages: bool) -> str:
    """What the venv was built from: wheelhouse bytes, the Python, and the venv options."""
    digest = hashlib.sha256()
    digest.update(f"python={sys.version}\nsystem-site={system_site_packages}\n".encode())
    for path in archives():
        digest.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def _include_system_packages() -> bool:
    """The layer option; PyYAML may be missing from the system Python, then the default."""
    try:
        from charms.layer import options
    except ImportError:  # pragma: no cover - charms.layer ships with the hook
        return False
    try:
        return bool(options.get("charmsmith-base", "include_system_packages"))
    except ImportError:
        return False


def pip_env() -> dict[str, str]:
    """The environment for pip: no host configuration, no index, no PIP_* from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


def plan_stages(files: list[str]) -> list[list[str]]:
    """Split the wheelhouse into install stages; empty stages are dropped.

    Wheels need no build backend, so they all go first, with the self-bootstrapping backend
    sdists (STAGES[0]); then backend sdists that need those (STAGES[1]); then the rest. A
    wheelhouse of wheels only (``--binary-wheels``) is a single pip run.
    """
    first = [
        f for f in files if f.endswith(".whl") or project_name(os.path.basename(f)) in STAGES[0]
    ]
    second = [f for f in files if f not in first and project_name(os.path.basename(f)) in STAGES[1]]
    rest = [f for f in files if f not in first and f not in second]
    return [stage for stage in (first, second, rest) if stage]


def bundled_pip() -> str | None:
    """The pip wheel ensurepip would install, if we can find it.

    Running pip straight from that wheel into a ``--without-pip`` venv skips installing pip
    (and, before 3.12, an old setuptools we would replace anyway): seconds off every
    bootstrap. Debian/Ubuntu keep the wheels in /usr/share/python-wheels, CPython in
    ensurepip/_bundled. None means: let ``venv`` run ensurepip as usual.
    """
    import glob

    try:
        import ensurepip
    except ImportError:
        return None
    # The interpreter's own bundle first; Debian's shared directory belongs to /usr's Python
    # only (another Python's pip may not run on this one, e.g. pip 23.0 on Python 3.12).
    candidates = glob.glob(
        os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")
    )
    if not candidates and os.path.realpath(sys.base_prefix) == "/usr":
        candidates = glob.glob("/usr/share/python-wheels/pip-*.whl")
    return sorted(candidates)[-1] if candidates else None


def _run(argv: list[str], env: dict[str, str]) -> None:
    _wait([subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)])


def _wait(procs: list[subprocess.Popen[bytes]]) -> None:
    """Wait for every process; the first failure raises with its (tail of) output."""
    outputs = [proc.communicate()[0] for proc in procs]
    for proc, output in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            text = output.decode(errors="replace")[-4000:]
            args = proc.args if isinstance(proc.args, list) else [proc.args]
            command = " ".join(str(a) for a in args[:8])
            raise BootstrapError(f"{command} ... failed ({proc.returncode}):\n{text}")


def _split(files: list[str], parts: int) -> list[list[str]]:
    """Spread sdists over ``parts`` groups, biggest first, so the groups finish together."""
    groups: list[list[str]] = [[] for _ in range(max(1, parts))]
    loads = [0] * len(groups)
    for path in sorted(files, key=os.path.getsize, reverse=True):
        i = loads.index(min(loads))
        groups[i].append(path)
        loads[i] += os.path.getsize(path)
    return [g for g in groups if g]


def _install_stage(pip: list[str], stage: list[str], env: dict[str, str], tmp: str) -> None:
    """Install one stage; sdists of the last stages are built into wheels in parallel.

    pip builds sdists one after another and most of that time is one core running a build
    backend, so on a multi-core unit we build groups of sdists concurrently with
    ``pip wheel --no-deps`` and then install all wheels in one pip run.
    """
    sdists = [f for f in stage if not f.endswith(".whl")]
    workers = min(len(sdists), os.cpu_count() or 1)
    if workers < 2:
        _run(pip + stage, env)
        return
    wheel_dir = tempfile.mkdtemp(prefix="wheels-", dir=tmp)
    build = [a if a != "install" else "wheel" for a in pip if a != "--no-compile"]
    build += ["--no-deps", "--wheel-dir", wheel_dir]
    _wait(
        [
            subprocess.Popen(
                build + group, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            for group in _split(sdists, workers)
        ]
    )
    built = sorted(os.path.join(wheel_dir, name) for name in os.listdir(wheel_dir))
    wheels = [f for f in stage if f.endswith(".whl")]
    _run(pip + ["--find-links", wheel_dir] + built + wheels, env)


def bootstrap(force: bool = False) -> bool:
    """Build ``../.venv`` from the wheelhouse unless the marker matches. True if it built."""
    system_site = _include_system_packages()
    wanted = fingerprint(system_site)
    marker = marker_path()
    if not force and os.path.exists(marker):
        with open(marker, encoding="utf-8") as handle:
            if handle.read().strip() == wanted:
                return False
    started = time.monotonic()
    venv = venv_dir()
    if os.path.exists(venv):
        shutil.rmtree(venv)
    env = pip_env()
    create = [sys.executable, "-m", "venv"]
    if system_site:
        create.append("--system-site-packages")
    pip_wheel = bundled_pip()
    if pip_wheel:
        create.append("--without-pip")
    _run(create + [venv], env)
    stages = plan_stages(archives())
    with tempfile.TemporaryDirectory(prefix="charmsmith-bootstrap-") as tmp:
        if pip_wheel:
            # Unpacked once: pip started from the zip re-reads it uncompiled on every run.
            import zipfile

            with zipfile.ZipFile(pip_wheel) as archive:
                archive.extractall(os.path.join(tmp, "pip"))
            pip_cmd = [os.path.join(tmp, "pip", "pip")]
        else:
            pip_cmd = ["-m", "pip"]
        pip = [
            venv_python(), *pip_cmd, "install", "--quiet", "--no-index", "--isolated",
            "--no-build-isolation", "--no-cache-dir", "--no-compile",
            "--find-links", wheelhouse_dir(),
        ]  # fmt: skip
        for number, stage in enumerate(stages, start=1):
            if number == len(stages):
                _install_stage(pip, stage, env, tmp)
            else:
                _run(pip + stage, env)
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write(wanted + "\n")
    print(f"charmsmith-base: venv bootstrapped in {time.monotonic() - started:.1f}s", flush=True)
    return True


def activate(hook_name: str = "") -> None:
    """Make sure the venv exists and that this process runs in it (re-exec if needed).

    Returns only inside the venv. ``post-series-upgrade`` always rebuilds (the system Python
    may have changed under the venv); everything else rebuilds only on a fingerprint change.
    """
    os.chdir(charm_dir())
    if in_venv():
        return
    bootstrap(force=hook_name == "post-series-upgrade")
    python = venv_python()
    os.environ["PATH"] = os.path.join(venv_dir(), "bin") + os.pathsep + os.environ.get("PATH", "")
    argv = list(getattr(sys, "orig_argv", [])) or [sys.executable, *sys.argv]
    os.execv(python, [python, *argv[1:]])
