"""Packages on the real host: apt sources from ``openstack-origin``, install, purge, versions.

A mixin of JujuHost; ``dpkg-query`` answers are kept for the hook and dropped for the packages
an install or purge touched.
"""

from __future__ import annotations

import os

from reactive_openstack._hook_tools import CommandFailed, HookToolCaller
from reactive_openstack._host_files import JujuFiles


def cloud_archive_line(origin: str) -> str | None:
    """Translate ``cloud:<series>-<release>[/updates|/proposed]`` to an apt source line.

    Other origins (``distro``, a bare codename) need no extra source; a literal ``deb ...`` line is
    used as it is.
    """
    origin = origin.strip()
    if origin.startswith("deb "):
        return origin
    if not origin.startswith("cloud:"):
        return None
    spec = origin[len("cloud:") :]
    pocket = "updates"
    if "/" in spec:
        spec, _, pocket = spec.partition("/")
    series, _, release = spec.partition("-")
    if not series or not release:
        raise ValueError(f"malformed cloud archive origin {origin!r}")
    pocket = "proposed" if pocket == "proposed" else "updates"
    return f"deb http://ubuntu-cloud.archive.canonical.com/ubuntu {series}-{pocket}/{release} main"


class JujuPackages(HookToolCaller, JujuFiles):
    """Mixed into JujuHost (which creates ``_installed``)."""

    _installed: dict[str, str | None]

    @staticmethod
    def _apt_env() -> dict[str, str]:
        env = dict(os.environ)
        env["DEBIAN_FRONTEND"] = "noninteractive"
        return env

    def installed_version(self, package: str) -> str | None:
        if package not in self._installed:
            try:
                out = self._call(["dpkg-query", "-W", "-f=${Status}\t${Version}", package])
            except CommandFailed:
                out = ""
            status, _, version = out.partition("\t")
            installed = status.endswith(" installed") and version.strip()
            self._installed[package] = version.strip() if installed else None
        return self._installed[package]

    def add_source(self, origin: str) -> None:
        line = cloud_archive_line(origin)
        if line is None:
            return
        if line.startswith("deb http://ubuntu-cloud.archive.canonical.com"):
            if self.installed_version("ubuntu-cloud-keyring") is None:
                self.install_packages(["ubuntu-cloud-keyring"])
        self.write_file("/etc/apt/sources.list.d/cloud-archive.list", (line + "\n").encode(), 0o644)
        self._call(["apt-get", "update", "-q"], env=self._apt_env())

    def install_packages(self, packages: list[str]) -> None:
        if not packages:
            return
        self._call(
            [
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "-o",
                "Dpkg::Options::=--force-confdef",
                "-o",
                "Dpkg::Options::=--force-confold",
                *packages,
            ],
            env=self._apt_env(),
        )
        for package in packages:
            self._installed.pop(package, None)

    def purge_packages(self, packages: list[str]) -> None:
        if not packages:
            return
        self._call(["apt-get", "purge", "-y", "-q", *packages], env=self._apt_env())
        for package in packages:
            self._installed.pop(package, None)
