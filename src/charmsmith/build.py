"""`charmsmith build`: the real charm-tools `charm-build`, fed only from local sources.

Why a wrapper at all: charm-tools looks up `layer:` and `interface:` includes in ONE local
directory each (``CHARM_LAYERS_DIR`` / ``CHARM_INTERFACES_DIR``) and otherwise asks an online
layer index. We point both at this package's data, so every layer and interface comes from
the installed charmsmith and the index is never consulted. We also make an sdist of the
installed ``reactive_openstack`` runtime at build time and pass it with
``--wheelhouse-overrides``: the built charm then carries exactly this repository's runtime,
never a copy that can drift. Python packages still come from the package index configured
for pip on the build machine (PyPI or a mirror); units never need one.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from charmsmith import buildlog, charmfiles, dirs
from charmsmith.create import vendor
from charmsmith.errors import CharmsmithError

PACKAGE_DIR = Path(__file__).resolve().parent
LAYERS_DIR = PACKAGE_DIR / "layers"
INTERFACES_DIR = PACKAGE_DIR / "interfaces"
RUNTIME_DISTRIBUTION = vendor.RUNTIME_DISTRIBUTION
RUNTIME_PACKAGE = vendor.RUNTIME_PACKAGE

# charm-build's exit codes when its final `charm proof` step found warnings or errors.
PROOF_EXIT_CODES = {100: "warnings", 200: "errors"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "src", nargs="?", default=".", help="charm source directory (default: current directory)"
    )
    parser.add_argument(
        "-o",
        "--output-dir",
        dest="out",
        default=None,
        help="directory that receives the built charm as OUT/<charm name> (default: ./build,"
        " or SRC/../build when ./build would be inside SRC, which charm-tools refuses)",
    )
    parser.add_argument(
        "--binary-wheels",
        action="store_true",
        help="fill the wheelhouse with wheels built for THIS machine's Python (~10 s instead of"
        " ~50 s); only for units whose Python version equals the build's",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the result line")


def run(args: argparse.Namespace) -> int:
    progress: Callable[[str], None] = (lambda _line: None) if args.quiet else print
    started = time.monotonic()
    built = build_charm(args.src, args.out, binary_wheels=args.binary_wheels, progress=progress)
    print(f"built {built} ({tree_size(built) // 1024} KiB) in {time.monotonic() - started:.1f}s")
    return 0


def _tool(name: str) -> Path:
    """A console script of the environment charmsmith runs in (else PATH), or a clear error."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return local
    found = shutil.which(name)
    if found:
        return Path(found)
    package = "charm-tools" if name.startswith("charm-") else name
    raise CharmsmithError(
        f"`{name}` not found next to {sys.executable} or on PATH: "
        f"install {package} (pip install {package}) in charmsmith's environment"
    )


def _charm_name(src: Path) -> str:
    """Validate the source is a charm layer (files Juju and charm-tools read) and return its name.

    Checked here because charm-tools answers a malformed layer.yaml with a traceback and takes
    a bad config.yaml as is; and a name too long for a file name would fail mid-build.
    """
    try:
        if not src.is_dir():
            raise CharmsmithError(f"{src}: not a directory")
    except OSError as err:  # ENAMETOOLONG, EACCES on a parent ...
        raise CharmsmithError(f"{src}: {err.strerror}") from None
    missing = [f for f in ("layer.yaml", "metadata.yaml") if not (src / f).is_file()]
    if missing:
        raise CharmsmithError(f"{src}: not a charm source (no {' or '.join(missing)})")
    name = charmfiles.read_metadata(src)["name"]
    charmfiles.read_options(src)
    charmfiles.check_layer_yaml(src)
    return name


_SDIST_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = {name}
version = {version}
description = {summary}
requires-python = {requires_python}
dependencies = {dependencies}

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
{package} = ["*.txt", "*.json", "templates/*", "templates/**/*"]
"""


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _runtime_files(package_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in package_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


WHEEL_FILE = "Wheel-Version: 1.0\nGenerator: charmsmith\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def make_runtime_wheel(dest: Path) -> Path:
    """Write a pure-Python (py3-none-any) wheel of the installed runtime into ``dest``.

    Used for ``--binary-wheels``: handing charm-tools an sdist there costs a build env and a
    setuptools install from the index per build. The runtime is pure Python with package data
    only, so a wheel is just its files plus the standard dist-info (PEP 427 / 566).
    """
    runtime = vendor.installed_runtime()
    stem = f"{RUNTIME_PACKAGE}-{runtime.version}"
    info = f"{stem}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (f"{RUNTIME_PACKAGE}/{f.relative_to(runtime.package_dir).as_posix()}", f.read_bytes())
        for f in _runtime_files(runtime.package_dir)
    ]
    entries += [
        (f"{info}/METADATA", runtime.core_metadata().encode()),
        (f"{info}/WHEEL", WHEEL_FILE.encode()),
        (f"{info}/top_level.txt", f"{RUNTIME_PACKAGE}\n".encode()),
    ]
    record = "".join(
        f"{name},sha256="
        f"{base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
        f"{len(data)}\n"
        for name, data in entries
    )
    path = dest / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", record + f"{info}/RECORD,,\n")
    return path


SEED_PINS = ("pip<23.1", "setuptools<67")


def seed_env(progress: Callable[[str], None]) -> dict[str, str]:
    """Let charm-tools' throw-away build venv start with the pip/setuptools it pins to.

    On Python < 3.12 charm-tools runs ``pip install -U 'pip<23.1' 'setuptools<67'`` in every
    build venv: ~5 s of downloads and reinstalls per build. We keep those two wheels in a
    cache and have virtualenv seed them (VIRTUALENV_* settings), so the pin is a no-op. Any
    failure just leaves charm-tools to do it its own way.
    """
    if sys.version_info >= (3, 12):
        return {}
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "charmsmith"
    seeds = cache / "seed-wheels"
    found = {n: sorted(seeds.glob(f"{n}-*-py3-none-any.whl")) for n in ("pip", "setuptools")}
    if not all(found.values()):
        seeds.mkdir(parents=True, exist_ok=True)
        progress("build: caching the build venv's seed wheels (pip<23.1, setuptools<67)")
        download = [sys.executable, "-m", "pip", "download", "-q", "--only-binary", ":all:"]
        result = subprocess.run(
            [*download, "--no-deps", "-d", str(seeds), *SEED_PINS], capture_output=True
        )
        found = {n: sorted(seeds.glob(f"{n}-*-py3-none-any.whl")) for n in found}
        if result.returncode != 0 or not all(found.values()):
            return {}
    return {
        "VIRTUALENV_EXTRA_SEARCH_DIR": str(seeds),
        "VIRTUALENV_PIP": found["pip"][-1].name.split("-")[1],
        "VIRTUALENV_SETUPTOOLS": found["setuptools"][-1].name.split("-")[1],
    }


def make_runtime_sdist(dest: Path) -> Path:
    """Make an sdist of the *installed* runtime package (editable or not) in ``dest``.

    The project is reassembled from the package directory and the installed distribution's
    metadata, so it works the same from a git checkout and from a wheel install of charmsmith.
    """
    runtime = vendor.installed_runtime()
    project = dest / "project"
    shutil.copytree(
        runtime.package_dir,
        project / "src" / RUNTIME_PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )
    (project / "pyproject.toml").write_text(
        _SDIST_PYPROJECT.format(
            name=_toml_str(RUNTIME_DISTRIBUTION),
            version=_toml_str(runtime.version),
            summary=_toml_str(runtime.summary),
            requires_python=_toml_str(runtime.requires_python),
            dependencies="[" + ", ".join(_toml_str(r) for r in runtime.requires) + "]",
            package=RUNTIME_PACKAGE,
        )
    )
    out = dest / "dist"
    out.mkdir()
    code = "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["?"]
        raise CharmsmithError(f"could not make the runtime sdist: {tail[0]}")
    return out / result.stdout.strip().splitlines()[-1]


def default_output(src: Path) -> Path:
    """``./build``, or ``src/../build`` when run from inside the charm source."""
    here = Path.cwd().resolve() / "build"
    return src.parent / "build" if here == src or src in here.parents else here


def build_env(bin_dir: Path) -> dict[str, str]:
    """charm-build's environment: our layer/interface dirs, metrics off, our tools first."""
    env = dict(os.environ)
    for key in ("LAYER_PATH", "INTERFACE_PATH", "JUJU_REPOSITORY", "CHARM_BUILD_DIR"):
        env.pop(key, None)
    env["CHARM_LAYERS_DIR"] = str(LAYERS_DIR)
    env["CHARM_INTERFACES_DIR"] = str(INTERFACES_DIR)
    env["CHARM_HIDE_METRICS"] = "1"
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning")
    env["PYTHONUNBUFFERED"] = "1"  # charm-build's lines arrive as they happen, not at exit
    return env


def build_charm(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    binary_wheels: bool = False,
    progress: Callable[[str], None] = print,
) -> Path:
    """Build the charm in ``src`` into ``out/<name>`` and return that path.

    Raises CharmsmithError (one line) when a tool is missing, ``src`` is not a charm, the
    build fails, or `charm proof` reports any warning or error.
    """
    src_path = Path(src).resolve()
    name = _charm_name(src_path)
    charm_build = _tool("charm-build")
    virtualenv = _tool("virtualenv")
    out_path = default_output(src_path) if out is None else Path(out).resolve()
    if out_path == src_path or src_path in out_path.parents:
        raise CharmsmithError(
            f"output directory {out_path} is inside the charm source {src_path}: "
            "charm-tools would copy its own output; pass -o outside the source"
        )
    out_path = dirs.make_dir(out_path, "-o/--output-dir")
    target = out_path / name
    log_path = out_path / f"{name}.build.log"
    # charm-build writes into a staging directory beside the target; the previous build stays
    # in place until the new one is complete and proof-clean.
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=out_path))
    except OSError as err:
        raise CharmsmithError(
            f"-o/--output-dir: cannot write in {out_path}: {err.strerror}"
        ) from None
    try:
        with tempfile.TemporaryDirectory(prefix="charmsmith-build-") as tmp:
            # The charm's own .charmsmith/ copy when it has one (what tox and charmcraft use).
            runtime = vendor.runtime_for_build(src_path, Path(tmp), wheel=binary_wheels)
            origin = f"{src_path.name}/{vendor.VENDOR_DIR}"
            if runtime is None:
                maker = make_runtime_wheel if binary_wheels else make_runtime_sdist
                runtime, origin = maker(Path(tmp)), f"the installed {RUNTIME_PACKAGE}"
            progress(f"build: runtime {runtime.name} (from {origin})")
            overrides = Path(tmp) / "wheelhouse-overrides.txt"
            overrides.write_text(f"{runtime.resolve().as_uri()}#egg={RUNTIME_DISTRIBUTION}\n")
            argv = [
                str(charm_build),
                "--hide-metrics",
                "--log-level",
                "INFO",
                "--output-dir",
                str(staging),
                "--wheelhouse-overrides",
                str(overrides),
            ]
            if binary_wheels:
                argv.append("--binary-wheels")
            argv.append(str(src_path))
            env = build_env(virtualenv.parent)
            env.update(vendor.build_env(src_path))  # the charm's vendored layers, if any
            env.update(seed_env(progress))
            code, output = buildlog.run(argv, src_path, env, progress)
        try:
            _check_result(code, output, staging / name, name)
        except CharmsmithError as err:
            output.save(log_path)
            raise CharmsmithError(f"{err}; {target} is unchanged; full log: {log_path}") from None
        _swap_into_place(staging / name, target)
        log_path.unlink(missing_ok=True)  # a failed build's log no longer describes the output
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def tree_size(path: Path) -> int:
    """Bytes of every regular file under ``path``: what a deploy copies to the unit."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _check_result(code: int, output: buildlog.BuildOutput, built: Path, name: str) -> None:
    """Raise the one-line reason a finished charm-build did not produce a usable charm."""
    # charm-build prefixes its proof step's findings with "proof: ".
    proof = [
        text
        for text in (line.strip().removeprefix("proof:").strip() for line in output.shown)
        if text.startswith(("W:", "E:"))
    ]
    if code in PROOF_EXIT_CODES:
        shown = "; ".join(proof) or "see the output above"
        raise CharmsmithError(
            f"charm proof found {PROOF_EXIT_CODES[code]} in the build of {name} (exit {code}): "
            f"{shown}"
        )
    if code != 0:
        raise CharmsmithError(f"charm-build failed (exit {code}): {output.cause()}")
    if not (built / "metadata.yaml").is_file():
        raise CharmsmithError("charm-build exited 0 but wrote no built charm")


def _swap_into_place(built: Path, target: Path) -> None:
    """Move the new build to ``target``; the old one is renamed aside first, then removed."""
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
    os.rename(built, target)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()
