# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate demo clean schema lock

GRAPHIQL := web/graphiql/node_modules/.package-lock.json

# Every Python package comes from requirements.lock, pinned with its hashes (pip refuses anything else);
# the project itself is installed on top without resolving anything again.
$(STAMP): requirements.lock pyproject.toml $(GRAPHIQL)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# GraphiQL's browser assets, from the npm registry, checked against package-lock.json's integrity hashes.
$(GRAPHIQL): web/graphiql/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --prefix web/graphiql

run: $(STAMP)  ## serve the API (embedded PostgreSQL unless DATABASE_URL is set), with demo data
	$(BIN)/python server.py demo
	$(BIN)/python server.py serve

test: $(STAMP)  ## the whole test suite against a real PostgreSQL
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff and mypy, as CI runs them
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

migrate: $(STAMP)
	$(BIN)/python server.py migrate

clean:
	rm -rf $(VENV) .pgdata .pgdata-test

schema: $(STAMP)  ## print the schema's SDL into schema.graphql (a test fails when it drifts)
	$(BIN)/python -m schema.build > schema.graphql

# A deliberate upgrade: re-resolve pyproject.toml's ranges to the newest releases, then review the diff
# (`git diff requirements.lock`) and run `make test` both ways before committing it. PIP_CONFIG_FILE and
# PIP_FIND_LINKS are cleared so that only PyPI's files (and their hashes) end up in the lock.
lock: $(STAMP)
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --upgrade --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --extra tracing \
		--output-file requirements.lock pyproject.toml
