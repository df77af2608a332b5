"""Fixtures shared by the local model's integration tests.

`cli` is a model in the test's temp dir that is always destroyed afterwards, with a check that
no namespace, veth or bridge of it is left on the host; `sample_charm` is
tests/fixtures/sample-api built once per session (binary wheels) for every scenario that
deploys it; `build_generated` builds what `charmsmith create` makes of an answers file, and
`deploy_with_peers` deploys a charm related to the keystone, mysql and rabbitmq peers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from model_cli import ModelCLI, host_objects

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-api"


@pytest.fixture()
def cli(tmp_path: Path):
    model = ModelCLI(tmp_path / "model")
    yield model
    if (model.model / "state.json").exists():
        model_id = model.state()["id"]
        model("destroy")
        assert host_objects(model_id) == []
    assert not model.model.exists()


@pytest.fixture(scope="session")
def sample_charm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from charmsmith.build import build_charm

    out = tmp_path_factory.mktemp("sample-build")
    return build_charm(SAMPLE, out, binary_wheels=True, progress=lambda _line: None)


@pytest.fixture(scope="session")
def build_generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Path]:
    """(answers file, charm name) -> the generated charm, built with binary wheels."""
    from charmsmith.build import build_charm
    from charmsmith.create import answers, answers_file, render

    def build(answers_path: Path, name: str) -> Path:
        src = tmp_path_factory.mktemp(f"{name}-src")
        charm = render.render(answers.resolve(answers_file.load(answers_path)), src)
        out = tmp_path_factory.mktemp(f"{name}-build")
        return build_charm(charm, out, binary_wheels=True, progress=lambda _line: None)

    return build


#: The API charm's endpoints and the peer each is related to, in relate order.
CORE_RELATIONS = (("identity-service", "keystone"), ("shared-db", "mysql"), ("amqp", "rabbitmq"))


@pytest.fixture()
def deploy_with_peers(cli: ModelCLI) -> Callable[..., None]:
    """(charm dir, app name, *deploy options): keystone, mysql and rabbitmq deployed, then the
    charm, then its identity-service, shared-db and amqp endpoints related to them."""

    def deploy(charm: Path, app: str, *options: str) -> None:
        for _endpoint, peer in CORE_RELATIONS:
            cli("deploy", peer)
        cli("deploy", str(charm), app, *options)
        for endpoint, peer in CORE_RELATIONS:
            cli("relate", f"{app}:{endpoint}", peer)

    return deploy
