# The README's two commands: `make demo` (the main job) and `make test` (lint + tests).
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup toolchain demo test lint unit bench e2e clean

setup:
	@scripts/setup.sh

demo: setup
	@$(BIN)/python scripts/demo.py

toolchain:  # tox, charm-tools and charmcraft as a charm author has them, for the tests
	@scripts/setup-toolchain.sh

# mypy: src/charmsmith and bench in basic mode, the runtime strict ([tool.mypy] in pyproject.toml).
# MYPY_PENDING: files still being brought clean; each joins the check once it passes. Its own
# cache: mypy replays a module's cached errors even where that module is not named.
MYPY_PENDING := $(addprefix src/charmsmith/model/,dpkgquery.py hostpkgs.py network.py peers/ceph_rules.py \
  peers/hacluster.py peers/ipaddr.py peers/keystone_rules.py units.py)
MYPY_FILES = $(filter-out $(MYPY_PENDING),$(shell find src/charmsmith runtime/src/reactive_openstack bench \
  -name '*.py' -not -path '*/create/template/*' -not -path '*/interfaces/*'))

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --cache-dir .mypy_cache/lint $(MYPY_FILES)
	@for dir in src/charmsmith/interfaces/*/; do \
	  echo "mypy $$dir"; MYPYPATH=$$dir $(BIN)/mypy --cache-dir .mypy_cache/interfaces $$dir*.py || exit 1; \
	done

test: lint toolchain
	$(BIN)/pytest -q

bench: setup  # the quick benchmarks; bench/results/*.md name the slower ones' commands
	$(BIN)/python -m bench.runtime
	$(BIN)/python -m bench.create
	$(BIN)/python -m bench.hooktool 1000

e2e: setup
	@scripts/setup-e2e.sh
	CHARMSMITH_E2E=1 $(BIN)/pytest -q -m e2e tests/e2e

clean:
	rm -rf $(VENV) .venv-toolchain .venv-charmtools .venv-charmcraft .charmsmith-model build
