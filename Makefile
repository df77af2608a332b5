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

# mypy ([tool.mypy] in pyproject.toml): src/charmsmith and bench in basic mode, the runtime
# strict; then each interface layer on its own (each is a top-level `requires`/`provides`).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@for dir in src/charmsmith/interfaces/*/; do \
	  MYPYPATH=$$dir $(BIN)/mypy --no-error-summary --cache-dir .mypy_cache/interfaces $$dir*.py \
	    || exit 1; \
	done; echo "mypy: no issues found in the interface layers"

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
