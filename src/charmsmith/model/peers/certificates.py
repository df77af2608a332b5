"""The certificates providers: vault (legacy protocol) and self-signed-certificates (CSR).

Both are backed by a real CA (peers/certificate_authority.py) kept in the peer's state; what
each reads from a requirer and refuses is in peers/certificates_rules.py. Followed: charm-vault
src/reactive/vault_handlers.py (`publish_ca_info`, `create_certs`), the tls-certificates
interface's tls_certificates_common.py (`CertificateRequest.set_cert`), and
canonical/self-signed-certificates-operator src/charm.py with the v4 library's
TLSCertificatesProvidesV4. Only leaders answer; rotation goes through the charms' own actions.

Details: docs/tls.md, 'The certificates peers of the local model' and 'Rotation'.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import charmsmith.model.peers.certificates_rules as rules
from charmsmith.errors import CharmsmithError
from charmsmith.model.peers.base import (
    ActionResult,
    Backend,
    PeerApp,
    PeerView,
    clear_hook_failure,
    fail_hook,
)
from charmsmith.model.peers.certificate_authority import Authority, BadRequest, load_csr

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI

HOOK = "certificates-relation-changed"
ROOT_CA_DAYS = 365  # self-signed-certificates' root-ca-validity default


class CABackend(Backend):
    """Keeps the CA(s): certificates in the peer state, private keys under `secrets`."""

    name = "emulated"

    def authority(self, name: str, make: Callable[[], Authority]) -> Authority:
        """The CA called `name` (root, intermediate), made by `make()` the first time."""
        if name not in self.state.get("ca", {}):
            self.replace(name, make())
        return Authority(self.state["ca"][name], self.state["secrets"][f"ca-key:{name}"])

    def replace(self, name: str, authority: Authority) -> None:
        self.state.setdefault("ca", {})[name] = authority.cert
        self.state.setdefault("secrets", {})[f"ca-key:{name}"] = authority.key


class CertificatesPeer(PeerApp):
    """What both providers share: leader-only answers, actions on the leader, re-answering."""

    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {
        "certificates": ("provides", "tls-certificates")
    }
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": CABackend}
    backend: CABackend

    def leader(self, view: PeerView) -> str | None:
        return next((u for u in view.my_units() if view.model.is_leader(u)), None)

    def answer_all(self, model: ModelAPI) -> None:
        name = self.application.name
        for rel in model.relations_of(name):
            model.peer_respond(rel, name)


class Vault(CertificatesPeer):
    kind = "vault"
    ACTIONS: ClassVar[dict[str, str]] = {
        "reissue-certificates": "Reissue certificates to all clients",
        "get-root-ca": "Get the root CA certificate",
    }
    TTL_DAYS = 365  # default-ttl 8759h

    def status(self) -> tuple[str, str]:
        """assess_status of an unsealed, non-HA vault (the model plays no mlock)."""
        return "active", "Unit is ready (active: true, mlock: disabled)"

    def root(self) -> Authority:
        return self.backend.authority(
            "root",
            lambda: Authority.self_signed(
                "Vault Root Certificate Authority (charm-pki-local)", 3650
            ),
        )

    def issuing(self) -> Authority:
        return self.backend.authority(
            "intermediate",
            lambda: self.root().intermediate(
                "Vault Intermediate Certificate Authority (charm-pki-local)", 3650
            ),
        )

    def respond(self, view: PeerView) -> None:
        leader = self.leader(view)
        if leader is None:
            return
        try:
            requests = [
                req
                for u in view.remote_units()
                for req in rules.legacy_requests(u, view.remote_data(u))
            ]
        except rules.Refused as exc:
            fail_hook(view, leader, HOOK, str(exc))
            return
        clear_hook_failure(view, leader, HOOK)
        mine = view.relation.unit_data.get(leader, {})
        handled = self.backend.state.setdefault("handled", {})
        reissue = bool(self.backend.state.get("reissue"))
        answer = {"ca": self.root().cert, "chain": self.issuing().cert}
        processed: dict[str, dict[str, dict[str, str]]] = {}
        for req in requests:
            key = f"{view.relation.id}.{req.unit_name}.{req.common_name}"
            current = _published(mine, req)
            if current and handled.get(key) == list(req.sans) and not reissue:
                cert, private = current
            else:
                try:
                    cert, private = self.issuing().issue(
                        req.common_name, list(req.sans), self.TTL_DAYS
                    )
                except BadRequest as exc:
                    view.model.store.log(view.app, "ERROR", f"{req.unit_name}: {exc}")
                    continue
                handled[key] = list(req.sans)
            if req.top_level:
                answer[f"{req.unit_name}.server.cert"] = cert
                answer[f"{req.unit_name}.server.key"] = private
            else:
                processed.setdefault(req.unit_name, {})[req.common_name] = {
                    "cert": cert,
                    "key": private,
                }
        for unit_name, certs in processed.items():
            answer[f"{unit_name}.processed_requests"] = json.dumps(certs, sort_keys=True)
        view.publish(leader, answer)

    def action_get_root_ca(
        self, model: ModelAPI, unit: str, params: dict[str, str]
    ) -> ActionResult:
        return ActionResult({"output": self.root().cert})

    def action_reissue_certificates(
        self, model: ModelAPI, unit: str, params: dict[str, str]
    ) -> ActionResult:
        if model.is_leader(unit):
            self.backend.state["reissue"] = True
            try:
                self.answer_all(model)
            finally:
                self.backend.state.pop("reissue", None)
        return ActionResult({})

    def forget(self, view: PeerView) -> None:
        """Relation removed: vault drops those units from its certificate cache."""
        prefix = f"{view.relation.id}."
        handled = self.backend.state.get("handled", {})
        for key in [k for k in handled if k.startswith(prefix)]:
            del handled[key]


def _published(mine: dict[str, str], req: rules.LegacyRequest) -> tuple[str, str] | None:
    """The certificate vault already sent for this request (its to_publish), if any."""
    if req.top_level:
        cert, key = (
            mine.get(f"{req.unit_name}.server.cert"),
            mine.get(f"{req.unit_name}.server.key"),
        )
        return (cert, key) if cert and key else None
    done = json.loads(mine.get(f"{req.unit_name}.processed_requests") or "{}")
    entry = done.get(req.common_name) or {}
    return (entry["cert"], entry["key"]) if entry.get("cert") and entry.get("key") else None


class SelfSignedCertificates(CertificatesPeer):
    kind = "self-signed-certificates"
    OPTIONS: ClassVar[dict[str, dict[str, Any]]] = {
        "ca-common-name": {"type": "string", "default": "self-signed-certificates-operator"},
        "certificate-validity": {"type": "string", "default": "90d"},
        "certificate-limit": {"type": "int", "default": 99},
    }
    ACTIONS: ClassVar[dict[str, str]] = {
        "rotate-private-key": "Creates a new private key and a new CA certificate and revokes "
        "all issued certificates.",
        "get-ca-certificate": "Outputs the CA cert.",
    }

    def status(self) -> tuple[str, str]:
        return "active", ""  # the charm sets ActiveStatus() with no message

    def step(self, model: ModelAPI) -> None:
        """_on_collect_unit_status: units other than the leader are blocked."""
        for unit in self.application.units:
            if model.is_leader(unit):
                model.unit(unit).workload = {"status": "active", "message": ""}
            else:
                blocked = "Scaling is not implemented for this charm"
                model.unit(unit).workload = {"status": "blocked", "message": blocked}

    @classmethod
    def check_config(cls, values: dict[str, Any], backend: str) -> None:
        """The charm's _invalid_configs: a CA name, and a validity like 90d / 12h / 2w."""
        if not values["ca-common-name"]:
            raise CharmsmithError("option ca-common-name must not be empty")
        if validity_days(values["certificate-validity"]) * 2 > ROOT_CA_DAYS:
            raise CharmsmithError(
                "option certificate-validity must be at most half of root-ca-validity (365d)"
            )

    def ca(self) -> Authority:
        """The CA; a new one when ca-common-name changed (the charm's _configure)."""
        wanted = self.config()["ca-common-name"]
        authority = self.backend.authority(
            "root", lambda: Authority.self_signed(wanted, ROOT_CA_DAYS)
        )
        if self.backend.state.get("ca-common-name", wanted) != wanted:
            authority = Authority.self_signed(wanted, ROOT_CA_DAYS)
            self.backend.replace("root", authority)
        self.backend.state["ca-common-name"] = wanted
        return authority

    def respond(self, view: PeerView) -> None:
        leader = self.leader(view)
        if leader is None:
            return
        bags = [(u, view.remote_data(u)) for u in view.remote_units()]
        bags.append((view.remote_app, view.remote_app_data()))
        csrs: list[str] = []
        for owner, data in bags:
            listed = rules.csr_requests(data)
            if listed is None:
                view.model.store.log(
                    view.app, "DEBUG", f"Invalid requirer relation data for {owner}"
                )
                continue
            csrs.extend(listed)
        try:
            for csr in csrs:
                load_csr(csr)
        except BadRequest as exc:
            fail_hook(view, leader, HOOK, f"TLSCertificatesError: {exc}")
            return
        clear_hook_failure(view, leader, HOOK)
        ca = self.ca()
        wanted = {csr.strip() for csr in csrs}
        current = [
            c
            for c in json.loads(
                view.relation.app_data.get(view.app, {}).get("certificates") or "[]"
            )
            if c["certificate_signing_request"].strip() in wanted
        ]
        for entry in current:
            if entry["ca"] != ca.cert:
                entry["revoked"] = True
        answered = {c["certificate_signing_request"].strip() for c in current}
        outstanding = list(dict.fromkeys(c.strip() for c in csrs if c.strip() not in answered))
        limit = self.config()["certificate-limit"]
        if limit and limit > -1:  # _limit_requests; 0 is falsy there, so it limits nothing
            outstanding = outstanding[:limit]
        days = validity_days(self.config()["certificate-validity"])
        for csr in outstanding:
            cert = ca.sign(csr, days)
            current.append(
                {
                    "ca": ca.cert,
                    "certificate_signing_request": csr,
                    "certificate": cert,
                    "chain": [cert, ca.cert],
                }
            )
        view.publish_app({"certificates": json.dumps(current) if current else ""})

    def action_get_ca_certificate(
        self, model: ModelAPI, unit: str, params: dict[str, str]
    ) -> ActionResult:
        return ActionResult({"ca-certificate": self.ca().cert})

    def action_rotate_private_key(
        self, model: ModelAPI, unit: str, params: dict[str, str]
    ) -> ActionResult:
        if not model.is_leader(unit):
            return ActionResult({}, "This action can only be run on the leader unit.")
        self.backend.replace(
            "root", Authority.self_signed(self.config()["ca-common-name"], ROOT_CA_DAYS)
        )
        self.answer_all(model)
        return ActionResult({"result": "New private key and CA certificate generated and stored."})


def validity_days(text: str) -> float:
    """The charm's _parse_config_time_string: N with m, h, d or w (days when bare), in days."""
    match = re.fullmatch(r"(\d+)([mhdw]?)", str(text).strip())
    if not match or int(match.group(1)) == 0:
        raise CharmsmithError(
            f"option certificate-validity must be a number followed by m, h, d or w, got {text!r}"
        )
    per_day = {"m": 1 / 1440, "h": 1 / 24, "d": 1, "w": 7, "": 1}[match.group(2)]
    return int(match.group(1)) * per_day
