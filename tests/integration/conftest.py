"""Fixtures shared by the local model's integration tests.

`cli` is a model in the test's temp dir that is always destroyed afterwards, with a check that
no namespace, veth or bridge of it is left on the host; `sample_charm` is
tests/fixtures/sample-api built once per session (binary wheels) for every scenario that
deploys it.
"""

from __future__ import annotations

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
