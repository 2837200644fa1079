# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate demo clean schema lock frontend frontend-check

GRAPHIQL := web/graphiql/node_modules/.package-lock.json
GRAPHIQL_COMPRESSED := web/graphiql/node_modules/.precompressed

# Every Python package comes from requirements.lock, pinned with its hashes (pip refuses anything else);
# the project itself is installed on top without resolving anything again.
$(STAMP): requirements.lock pyproject.toml $(GRAPHIQL) $(GRAPHIQL_COMPRESSED)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# GraphiQL's browser assets, from the npm registry, checked against package-lock.json's integrity hashes.
# Then a Brotli and a gzip copy of each file the page loads (web/graphiql_page.py's ASSETS), served as they are.
GRAPHIQL_ASSETS := react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js graphiql/graphiql.min.js \
	graphiql/graphiql.min.css @graphiql/plugin-explorer/dist/index.umd.js @graphiql/plugin-explorer/dist/style.css \
	graphql-ws/umd/graphql-ws.min.js
$(GRAPHIQL): web/graphiql/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --prefix web/graphiql

$(GRAPHIQL_COMPRESSED): $(GRAPHIQL) frontend/scripts/precompress.mjs
	node frontend/scripts/precompress.mjs $(addprefix web/graphiql/node_modules/,$(GRAPHIQL_ASSETS))
	touch $@

run: $(STAMP) frontend  ## serve the API and the Tools page (embedded PostgreSQL unless DATABASE_URL is set), with demo data
	$(BIN)/python server.py demo
	$(BIN)/python server.py serve

# The client examples' npm packages (Apollo Client), from their own locks; tests/examples/ runs them.
EXAMPLE_DEPS := examples/apollo/node_modules/.package-lock.json tests/examples/apollo_hashes/node_modules/.package-lock.json

%/node_modules/.package-lock.json: %/package-lock.json
	npm ci --no-audit --no-fund --prefix $*

test: $(STAMP) frontend $(EXAMPLE_DEPS)  ## the whole test suite against a real PostgreSQL, the Tools page's checks and its browser tests
	BROWSER_TESTS=1 $(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) frontend-check

# --- Tools page (frontend/, owned by the frontend) ---------------------------------------------------
# npm packages from frontend/package-lock.json; the page built into frontend/dist only when a source
# changed. The build also rewrites frontend/trusted-documents.json (the server's manifest).
FRONTEND_DEPS := frontend/node_modules/.package-lock.json
FRONTEND_BUILT := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/scripts -type f -not -path 'frontend/src/gql/*' 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/codegen.ts frontend/tsconfig.json schema.graphql

$(FRONTEND_DEPS): frontend/package-lock.json
	npm ci --no-audit --no-fund --prefix frontend

$(FRONTEND_BUILT): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	npm run build --prefix frontend

frontend: $(FRONTEND_BUILT)  ## build the Tools page when a source changed

frontend-check: $(FRONTEND_DEPS)  ## the Tools page's type check, lint and component tests, as CI runs them
	npm run typecheck --prefix frontend
	npm run lint --prefix frontend
	npm test --prefix frontend
# --- end of Tools page ---------------------------------------------------------------------------------

lint: $(STAMP)  ## ruff and mypy, as CI runs them
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

migrate: $(STAMP)
	$(BIN)/python server.py migrate

clean:
	rm -rf $(VENV) .pgdata .pgdata-test

schema: $(STAMP)  ## print the schema's SDL into schema.graphql, its possible types into possible-types.json (tests fail when they drift)
	$(BIN)/python -m schema.build > schema.graphql
	$(BIN)/python -m schema.possible_types > possible-types.json

# A deliberate upgrade: re-resolve pyproject.toml's ranges to the newest releases, then review the diff
# (`git diff requirements.lock`) and run `make test` both ways before committing it. PIP_CONFIG_FILE and
# PIP_FIND_LINKS are cleared so that only PyPI's files (and their hashes) end up in the lock.
lock: $(STAMP)
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --upgrade --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --extra tracing \
		--output-file requirements.lock pyproject.toml
