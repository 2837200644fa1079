# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate demo clean schema

GRAPHIQL := web/graphiql/node_modules/.package-lock.json

$(STAMP): pyproject.toml $(GRAPHIQL)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,tracing]'
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
