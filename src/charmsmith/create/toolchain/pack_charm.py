"""Build this charm with charm-tools and zip it as ``<name>.charm`` (``tox -e build``).

Vendored by charmsmith into ``.charmsmith/`` and refreshed by ``charmsmith update``; standard
library only, so it runs in a tox env that holds nothing but charm-tools. charm-tools refuses an
output directory inside the charm source, so the build goes to a temporary directory and only
the zipped charm comes back, next to tox.ini. Extra arguments go to ``charm-build``.

Details: docs/create.md, 'The charm's own toolchain'.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHARM_DIR = HERE.parent


def charm_name() -> str:
    for line in (CHARM_DIR / "metadata.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    sys.exit("pack_charm: metadata.yaml has no name")


def runtime_sdist(dest: Path) -> Path:
    """The vendored runtime sdist, copied under its standard ``<name>-<version>`` file name.

    The vendored file has a fixed name so tox.ini never changes with the runtime's version;
    the wheelhouse gets the conventional name that pip and charm-tools' lock file expect.
    """
    source = HERE / "runtime" / "reactive-openstack.tar.gz"
    with tarfile.open(source, "r:gz") as archive:
        info = next(
            m
            for m in archive.getmembers()
            if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
        )
        member = archive.extractfile(info)
        if member is None:
            sys.exit(f"pack_charm: {info.name} in {source} is not a file")
        text = member.read().decode()
    version = next(
        ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("Version:")
    )
    target = dest / f"reactive_openstack-{version}.tar.gz"
    shutil.copyfile(source, target)
    return target


def zip_tree(tree: Path, dest: Path) -> None:
    """Zip ``tree`` with its files' modes (hooks and actions stay executable)."""
    partial = dest.with_name(dest.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(tree).as_posix())
    os.replace(partial, dest)


def write_overrides(path: Path) -> Path:
    """``--wheelhouse-overrides`` file naming the runtime sdist (copied beside it) by URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    runtime = runtime_sdist(path.parent).resolve().as_uri()
    path.write_text(f"{runtime}#egg=reactive-openstack\n", encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write-overrides"] and len(argv) == 2:  # charmcraft.yaml's build step
        write_overrides(Path(argv[1]))
        return 0
    name = charm_name()
    env = dict(os.environ)
    env["CHARM_LAYERS_DIR"] = str(HERE / "layers")
    env["CHARM_INTERFACES_DIR"] = str(HERE / "interfaces")
    env["CHARM_HIDE_METRICS"] = "1"
    for key in ("LAYER_PATH", "INTERFACE_PATH", "JUJU_REPOSITORY", "CHARM_BUILD_DIR"):
        env.pop(key, None)
    charm_build = shutil.which("charm-build") or sys.exit("pack_charm: charm-build not found")
    with tempfile.TemporaryDirectory(prefix=f"{name}-build-") as tmp:
        overrides = write_overrides(Path(tmp) / "wheelhouse-overrides.txt")
        out = Path(tmp) / "out"
        argv = [
            charm_build,
            "--hide-metrics",
            "--wheelhouse-overrides",
            str(overrides),
            "--output-dir",
            str(out),
            *argv,
            ".",
        ]
        code = subprocess.call(argv, cwd=CHARM_DIR, env=env)
        if code != 0:
            print(f"pack_charm: charm-build failed (exit {code})", file=sys.stderr)
            return code
        dest = CHARM_DIR / f"{name}.charm"
        zip_tree(out / name, dest)
    print(f"built {dest.name} ({dest.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
