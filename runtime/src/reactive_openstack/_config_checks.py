"""Config values checked before anything uses them.

Juju only checks an option's type, so ``vip=10.0.0`` or ``worker-multiplier=nan`` reach the
charm as valid strings and floats. Used as they are, they end up in pacemaker resources, the
keystone catalog and service configs, where they break things far from their cause. Here each
value is checked once, against the rule the code that uses it relies on; while any check
fails the unit is ``blocked`` with the option and the rule, and the charm renders, restarts,
registers and publishes nothing (see :func:`usable`), so a typo changes nothing else.

Only options the charm declares are checked: a charm without ``vip`` has nothing to check.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from reactive_openstack._text import truthy
from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

N = TypeVar("N", int, float)

__all__ = [
    "CHECKS",
    "ConfigProblem",
    "check_region",
    "check_ssl_options",
    "decode_ssl_option",
    "option_on",
    "check_vip",
    "check_vip_cidr",
    "check_worker_multiplier",
    "problems",
    "status",
    "usable",
]


@dataclass(frozen=True)
class ConfigProblem:
    """One option whose value breaks a rule; ``message`` is what the status shows."""

    option: str
    value: Any
    rule: str

    @property
    def message(self) -> str:
        return f"config {self.option}: {self.rule}"


def _shown(value: Any) -> str:
    """A value as the operator typed it: strings quoted, numbers bare."""
    return repr(value) if isinstance(value, str) else str(value)


def _vip_list(config: Mapping[str, Any]) -> list[str]:
    return str(config.get("vip") or "").split()


def check_vip(config: Mapping[str, Any]) -> ConfigProblem | None:
    """``vip``: a space separated list of IP addresses (pacemaker plumbs each one)."""
    if "vip" not in config:
        return None
    for word in _vip_list(config):
        try:
            ipaddress.ip_address(word)
        except ValueError:
            return ConfigProblem("vip", config["vip"], f"{_shown(word)} is not an IP address")
    return None


def _is_ipv4(word: str) -> bool:
    try:
        return ipaddress.ip_address(word).version == 4
    except ValueError:
        return False


def _set_value(config: Mapping[str, Any], option: str) -> Any | None:
    """The option's value; None when the charm lacks the option or it is unset (null or "")."""
    raw = config.get(option)
    return None if raw is None or raw == "" else raw


def _number_problem(
    option: str,
    raw: Any,
    rule: str,
    parse: Callable[[Any], N],
    accept: Callable[[N], bool],
) -> ConfigProblem | None:
    """``raw`` read by ``parse``; a bool, an unreadable or a refused value breaks ``rule``."""
    if isinstance(raw, bool):
        return ConfigProblem(option, raw, rule)
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        return ConfigProblem(option, raw, rule)
    return None if accept(value) else ConfigProblem(option, raw, rule)


def check_vip_cidr(config: Mapping[str, Any]) -> ConfigProblem | None:
    """``vip_cidr``: a prefix length, 1-32 unless every VIP is IPv6 (then 1-128)."""
    raw = _set_value(config, "vip_cidr")
    if raw is None:
        return None  # unset: hacluster derives the netmask from the VIP's network
    vips = _vip_list(config)
    ipv6_only = bool(vips) and not any(_is_ipv4(word) for word in vips)
    top = 128 if ipv6_only else 32
    return _number_problem(
        "vip_cidr",
        raw,
        f"{_shown(raw)} is not a prefix length (1-{top})",
        lambda value: int(str(value).strip()),
        lambda length: 1 <= length <= top,
    )


def check_worker_multiplier(config: Mapping[str, Any]) -> ConfigProblem | None:
    """``worker-multiplier``: unset, or a finite number >= 0 (workers = CPUs x multiplier)."""
    raw = _set_value(config, "worker-multiplier")
    if raw is None:
        return None
    return _number_problem(
        "worker-multiplier",
        raw,
        f"{_shown(raw)} is not a finite number >= 0",
        float,
        lambda value: math.isfinite(value) and value >= 0,
    )


def check_region(config: Mapping[str, Any]) -> ConfigProblem | None:
    """``region``: the keystone region the endpoints are registered in; never empty."""
    if "region" not in config:
        return None
    raw = config["region"]
    if raw is None or not str(raw).strip():
        return ConfigProblem("region", raw, "must not be empty")
    return None


SSL_OPTIONS = ("ssl_cert", "ssl_key", "ssl_ca")


def decode_ssl_option(config: Mapping[str, Any], option: str) -> str | None:
    """An ``ssl_*`` option's PEM text (the options are base64, as charm-helpers reads them)."""
    raw = config.get(option)
    if not raw:
        return None
    try:
        text = base64.b64decode(str(raw), validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    return text if "-----BEGIN " in text else None


def check_ssl_options(config: Mapping[str, Any]) -> ConfigProblem | None:
    """``ssl_cert``/``ssl_key``/``ssl_ca``: base64 PEM, and cert and key given together.

    The problem never carries the value (a key is a secret): only the option and the rule.
    """
    for option in SSL_OPTIONS:
        if config.get(option) and decode_ssl_option(config, option) is None:
            return ConfigProblem(option, None, "must be a base64-encoded PEM")
    if bool(config.get("ssl_cert")) != bool(config.get("ssl_key")):
        missing = "ssl_key" if config.get("ssl_cert") else "ssl_cert"
        return ConfigProblem(missing, None, "ssl_cert and ssl_key must be set together")
    return None


#: Every check, in the order their problems are reported.
CHECKS: tuple[Callable[[Mapping[str, Any]], ConfigProblem | None], ...] = (
    check_vip,
    check_vip_cidr,
    check_worker_multiplier,
    check_region,
    check_ssl_options,
)


def problems(config: Mapping[str, Any]) -> list[ConfigProblem]:
    """Every broken rule in ``config`` (empty when the config is usable)."""
    found = []
    for check in CHECKS:
        problem = check(config)
        if problem is not None:
            found.append(problem)
    return found


def status(charm: Charm) -> Status | None:
    """``blocked`` naming each bad option and its rule, or None."""
    found = problems(charm.config)
    if not found:
        return None
    return Status("blocked", "; ".join(problem.message for problem in found))


def usable(charm: Charm) -> bool:
    """Whether the charm may act on its config now; logs why not, once per hook.

    Every step that would carry a config value into the world (rendering, restarts, keystone
    registration, hacluster resources, upgrades) asks this first.
    """
    found = problems(charm.config)
    if not found:
        return True
    if not charm.memo.config_problems_logged:
        charm.memo.config_problems_logged = True
        charm.host.log(
            "invalid config, changing nothing until it is fixed: "
            + "; ".join(problem.message for problem in found),
            "WARNING",
        )
    return False


def option_on(config: Mapping[str, Any], name: str) -> bool:
    """A boolean option's value, also when it arrives as a string ("true", "yes", "1", "on")."""
    return truthy(config.get(name))
