# Galilean: `make run` starts the embedded hub, `make test` installs what tests need and runs them.
# Everything installs into ./.venv; stamps make a second run skip what has not changed.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
# Test processes (pytest-xdist): one per core of the 2-core machines the suite is sized for.
# Whole groups go to one worker (tests/conftest.py: GroupScheduling): the tests of the lab
# hub (browser and a few integration modules) on one, every other module whole.
TEST_WORKERS ?= 2
export PATH := $(abspath $(VENV))/bin:$(PATH)
export VIRTUAL_ENV := $(abspath $(VENV))
LAB_SOURCES := $(shell find labextension/src labextension/style labextension/schema -type f) \
	labextension/package.json labextension/yarn.lock labextension/tsconfig.json
PYTEST_ARGS ?=

.PHONY: install run test lint lint-python lint-labextension bench clean lock wheels images up down backup restore \
	stack-backup stack-restore

install: $(VENV)/.deps $(VENV)/.lab $(VENV)/.packages $(VENV)/proxy/.installed $(VENV)/mlflow/.installed

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(UV): $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Third-party packages: exactly the lock file (both sides plus test tools).
$(VENV)/.deps: requirements/dev.lock.txt | $(UV)
	$(UV) pip sync --quiet requirements/dev.lock.txt
	rm -f $(VENV)/.packages
	touch $@

# The labextension, built from TypeScript (yarn.lock is committed; install is immutable).
$(VENV)/.lab: $(LAB_SOURCES) $(VENV)/.deps
	cd labextension && jlpm install --immutable && jlpm build:prod
	touch $@

# Galilean's own packages, editable; the labextension is linked, so rebuilds show at once.
# SKIP_JUPYTER_BUILDER: an editable install would otherwise rebuild the labextension in
# development mode (unminified, with source maps) over the production build made above,
# which the wheels, the images and the tests' browsers would then load.
$(VENV)/.packages: $(VENV)/.deps $(VENV)/.lab hub/pyproject.toml services/pyproject.toml \
		extensions/pyproject.toml labextension/pyproject.toml labextension/overrides.json
	SKIP_JUPYTER_BUILDER=1 $(UV) pip install --quiet --no-build-isolation --no-deps \
		-e hub -e services -e extensions -e labextension
	jupyter-builder develop --overwrite labextension >/dev/null
	touch $@

# MLflow in an environment of its own (its pins clash with the other locks): the MLflow
# service's gateway runs $(VENV)/mlflow/bin/mlflow (the image: /opt/galilean/mlflow).
$(VENV)/mlflow/.installed: requirements/mlflow.lock.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PY) $(VENV)/mlflow
	$(UV) pip sync --quiet --python $(VENV)/mlflow/bin/python requirements/mlflow.lock.txt
	touch $@

$(VENV)/proxy/.installed: hub/proxy/package.json hub/proxy/package-lock.json
	mkdir -p $(VENV)/proxy
	cp hub/proxy/package.json hub/proxy/package-lock.json $(VENV)/proxy/
	cd $(VENV)/proxy && npm ci --silent --no-audit --no-fund
	touch $@

run: install
	scripts/install-run-deps
	jupyterhub -f hub/jupyterhub_config.py

# Embedded mode: one dated archive under ./backups (BACKUP_ARGS=--with-secrets adds the cookie
# secret, the vault's key and stack.env); `make restore ARCHIVE=backups/….tar.gz` with the hub
# stopped (RESTORE_ARGS=--force over existing data, which is moved aside).
backup: install
	python -m galilean_hub.backup create $(BACKUP_ARGS)

restore: install
	@test -n "$(ARCHIVE)" || { echo "make restore ARCHIVE=backups/galilean-backup-….tar.gz"; exit 2; }
	python -m galilean_hub.backup restore "$(ARCHIVE)" $(RESTORE_ARGS)

test: lint
	scripts/install-test-deps
	python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder $(PYTEST_ARGS)

# The Python and the labextension checks side by side (mypy alone is over a minute on a
# fresh clone, on one core); each one's output kept together.
lint: install
	$(MAKE) --no-print-directory -j2 --output-sync=target lint-python lint-labextension

lint-python:
	ruff check .
	ruff format --check .
	mypy
	mypy extensions/galilean_server/examples/experiments/*.py
	lint-imports
	hadolint images/notebook/Dockerfile images/hub/Dockerfile

lint-labextension:
	cd labextension && jlpm typecheck && jlpm lint:check && jlpm test

# Re-resolve the locks after editing requirements/*.in; the side locks follow the dev lock.
lock: | $(UV)
	cd requirements && $(abspath $(UV)) pip compile --quiet --python-version 3.11 dev.in -o dev.lock.txt \
		--overrides overrides.txt
	cd requirements && for side in hub user; do \
		$(abspath $(UV)) pip compile --quiet --python-version 3.11 $$side.in -o $$side.lock.txt \
			--constraint dev.lock.txt --overrides overrides.txt; done
	cd requirements && $(abspath $(UV)) pip compile --quiet --python-version 3.11 mlflow.in -o mlflow.lock.txt \
		--overrides overrides.txt

# Wheels of Galilean's own packages, for the images (the labextension is prebuilt), and
# configurable-http-proxy's packages for the hub's.
wheels: install
	rm -rf build/wheels
	$(UV) build --quiet --wheel --no-build-isolation --out-dir build/wheels hub
	$(UV) build --quiet --wheel --no-build-isolation --out-dir build/wheels services
	$(UV) build --quiet --wheel --no-build-isolation --out-dir build/wheels extensions
	$(UV) build --quiet --wheel --no-build-isolation --out-dir build/wheels labextension
	rm -rf build/proxy && mkdir -p build/proxy
	cp -R $(VENV)/proxy/package.json $(VENV)/proxy/package-lock.json $(VENV)/proxy/node_modules build/proxy/

# The images; BASE_IMAGE=... builds from another base (the tests use a local one).
BASE_IMAGE ?= debian:bookworm-slim
IMAGE_TAG ?= latest
images: wheels
	cp /usr/local/share/ca-certificates/*.crt images/extra-ca/ 2>/dev/null || true
	docker build --build-arg BASE_IMAGE=$(BASE_IMAGE) -f images/notebook/Dockerfile \
		-t galilean/notebook:$(IMAGE_TAG) .
	docker build --build-arg BASE_IMAGE=$(BASE_IMAGE) -f images/hub/Dockerfile \
		-t galilean/hub:$(IMAGE_TAG) .

# The homelab stack: builds both images, then starts compose with stack.env.
COMPOSE := docker compose -f compose/docker-compose.yml --env-file stack.env
up: images
	@test -f stack.env || { echo "no stack.env: cp stack.env.example stack.env, then edit it"; exit 1; }
	@if [ -n "$$(find stack.env -perm /044)" ]; then \
		echo "warning: stack.env is readable by other users and holds secrets: chmod 600 stack.env"; fi
	$(COMPOSE) up -d

down:
	$(COMPOSE) down

# Backups of the stack: the same command, in the hub's container (PostgreSQL dumped in its
# own container, users' volumes through the Docker API) into ./backups. A restore runs in
# a new hub container with the hub stopped and the database up, then starts the hub.
STACK_BACKUPS := /srv/galilean/backups
stack-backup:
	$(COMPOSE) exec -T hub python -m galilean_hub.backup create --to $(STACK_BACKUPS) $(BACKUP_ARGS)

stack-restore:
	@test -n "$(ARCHIVE)" || { echo "make stack-restore ARCHIVE=backups/galilean-backup-….tar.gz"; exit 2; }
	@test -f "backups/$(notdir $(ARCHIVE))" || { echo "the archive must be in ./backups"; exit 2; }
	$(COMPOSE) up -d --wait db
	$(COMPOSE) stop hub
	$(COMPOSE) run --rm -T --no-deps hub python -m galilean_hub.backup restore \
		$(STACK_BACKUPS)/$(notdir $(ARCHIVE)) $(RESTORE_ARGS)
	$(COMPOSE) up -d

clean:
	rm -rf $(VENV) $(BARE) labextension/node_modules labextension/lib labextension/galilean_labextension/labextension

# Benchmarks (not timed tests): results are written as tables under bench/results/.
BARE := .venv-bench-bare
$(BARE)/bin/python: requirements/dev.lock.txt | $(UV)
	$(UV) venv --quiet --python $(PY) $(BARE)
	VIRTUAL_ENV=$(abspath $(BARE)) $(UV) pip install --quiet \
		-c requirements/dev.lock.txt jupyterhub jupyterlab

bench: install $(BARE)/bin/python
	python bench/spawn.py --runs 5 --bare-python $(abspath $(BARE))/bin/python
	python bench/spawn_tools.py --runs 7
	python bench/docker_spawn.py --runs 5
	python bench/flows.py --rows 1000000 10000000 --repeat 3
	python bench/flows_interactive.py --rows 1000000 10000000 --repeat 5
	python bench/endpoint.py --seconds 10
	python bench/sql_cell.py --rows 10000000
	python bench/export.py --rows 100000 --repeat 3
	python bench/login_to_lab.py --users 3
	python bench/login_storm.py --users 10
	python bench/coedit.py --edits 20
	python bench/ai_gateway.py --requests 60
	python bench/designer.py --rows 10000000 --repeat 5
	python bench/datasets_files.py
	python bench/datasets_tables.py --rows 15000000
	python bench/datasets_sampling.py --rows 10000000 --repeat 3
	python bench/mlflow.py --calls 300 --artifact-mib 64
	python bench/notebook_history.py --repeat 7 --megabytes 5
