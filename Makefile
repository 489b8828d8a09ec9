# Poltavateploenergo readings assistant. `make run` to chat, `make test` for CI.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
RASA := $(BIN)/rasa
MODEL := models/current.tar.gz
TRAINING_INPUTS := $(shell find data nlu_components -type f \( -name '*.yml' -o -name '*.py' \)) config.yml domain.yml

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install run serve serve-prod train evaluate test validate lint pytest stories bench clean

help:
	@echo "make run       chat with the assistant in the terminal (sets everything up)"
	@echo "make serve     Rasa on :5005 (REST) + action server on :5055, foreground"
	@echo "make check     the fast loop: lint + every test that starts no server (< 3 min)"
	@echo "make test      lint, data validation, unit/DB tests, NLU gate, conversation tests"
	@echo "make screenshots  refresh docs/console/*.png through the browser test"
	@echo "make lint      ruff (check + format) and the layering contract (lint-imports)"
	@echo "make train     train the model if data/config/domain changed"
	@echo "make evaluate  NLU evaluation on the held-out test set -> results/nlu/, gated by results/baseline.json"
	@echo "make retrain   staff: retrain on new phrases, promote only if no worse (docs/staff-guide.md)"
	@echo "make serve-cluster  nginx -> 2 Rasa replicas (Redis lock store, PostgreSQL) + actions, loopback"
	@echo "make rehearsal a month in production on loopback: every process, 2000 consumers (CONSUMERS=N)"
	@echo "make bench     load benchmark against 'make serve' and Rasa's own starter bot"
	@echo "make import-bench  billing import benchmark: 200k accounts / 300k meters into a throw-away PostgreSQL"
	@echo "make billing-api   pull API for billing on 127.0.0.1:5070 (keys: teplo billing keys)"
	@echo "make billing-bench billing hand-over benchmark: 300k readings as a drop file and through the API"
	@echo "teplo --help   staff command line (.venv/bin/teplo after make install; docs/staff-guide.md)"

# uv installs the same pinned requirements.txt as pip would, in half the time cold
# and in a fifth with its cache warm (docs/testing.md); pip only bootstraps it.
UV_VERSION := 0.13.9
$(VENV)/.installed: requirements.txt
	test -x $(PY) || "$$(scripts/find-python310)" -m venv $(VENV)
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(PY) -r requirements.txt
	touch $@

# The staff command line `teplo` on the venv's PATH (scripts/teplo explains how it finds us).
$(BIN)/teplo: scripts/teplo | $(VENV)/.installed
	install -m 755 scripts/teplo $@

install: $(VENV)/.installed $(BIN)/teplo

var/assistant.db: | $(VENV)/.installed
	mkdir -p var
	$(PY) -m core.demo.seed

$(MODEL): $(TRAINING_INPUTS) | $(VENV)/.installed
	$(RASA) train --fixed-model-name current --out models

train: $(MODEL)

run: $(MODEL) var/assistant.db
	scripts/run-stack shell

serve: $(MODEL) var/assistant.db
	scripts/run-stack serve

# Production: Telegram and Viber from credentials.prod.yml (no REST, no demo seed).
# Never trains: the promoted model must be there (make retrain / CI), and the
# configuration must be complete (core/preflight.py says what is missing).
serve-prod: | $(VENV)/.installed
	ASSISTANT_MODE=production $(PY) -m core.preflight
	ASSISTANT_MODE=production RASA_CREDENTIALS=credentials.prod.yml scripts/run-stack serve

# The production picture on loopback: PostgreSQL (throw-away unless DATABASE_URL
# is set), Redis, REPLICAS Rasa replicas (default 2), the action server, nginx in
# front with deploy/nginx's routes (scripts/cluster.py, devtools/harness/). Ctrl+C stops it all.
.PHONY: serve-cluster
serve-cluster: $(MODEL)
	scripts/ensure-system-packages
	scripts/serve-cluster --replicas $${REPLICAS:-2}

# Style and architecture: ruff's checks and formatting, and the import contracts
# of pyproject.toml (core below the features, features independent, staff on top).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

validate: install
	$(RASA) data validate --fail-on-warnings

# The end-to-end tests drive the trained model through the real servers. Two
# workers: each server group (a shared stack, the cluster, the rehearsal, ...) runs
# whole on one of them, longest first (tests/conftest.py), the rest fills the gaps.
PYTEST_WORKERS ?= 2
pytest: $(MODEL) $(BIN)/teplo
	scripts/ensure-system-packages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=25 \
		--junitxml=results/pytest.xml

# Reports in results/nlu/; fails when the model is worse than results/baseline.json.
evaluate: $(MODEL)
	$(PY) -m staff retrain evaluate

# Staff: validate, train a candidate, promote it only through the gate (docs/staff-guide.md).
.PHONY: retrain
retrain: | $(VENV)/.installed
	$(PY) -m staff retrain train

stories: $(MODEL)
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out results/stories

# The steps are independent once their inputs exist, so make runs three at a time:
# lint and validation beside the training, the NLU gate and the stories beside
# pytest (whose two workers leave a core idle in the last minutes). Each step's
# output is printed whole when it ends (--output-sync); any failing step fails make test.
TEST_STEPS := lint validate pytest evaluate stories
.PHONY: test-steps
test:
	$(MAKE) --no-print-directory -j3 --output-sync=target test-steps

test-steps: $(TEST_STEPS)

# The fast loop (under 3 minutes on an idle 2-core machine): lint, the import contracts
# and every test that starts no server and trains no model (pytest.ini's markers), once:
# the wall-clock guard, which runs the date-sensitive ones again at moved dates, is make test's.
# Needs no trained model and no system packages. `make test` still runs everything.
CHECK_MARKERS := not (e2e or cluster or browser or postgres or training or guard)
.PHONY: check
check: lint
	$(PY) -m pytest -n auto -m "$(CHECK_MARKERS)"

bench: $(MODEL)
	$(PY) -m bench.run_bench
	scripts/ensure-system-packages
	$(PY) -m bench.cluster_bench

# A month in production, rehearsed on loopback (docs/deploy.md "A month, rehearsed"):
# every process of the picture, a compressed January on one moved clock, faults,
# checks at the end. make test runs its small size (tests/deploy/test_rehearsal.py).
.PHONY: rehearsal
rehearsal: $(MODEL)
	scripts/ensure-system-packages
	$(PY) -m devtools.rehearsal $${CONSUMERS:+--consumers $$CONSUMERS}

.PHONY: import-bench
import-bench: | $(VENV)/.installed
	scripts/ensure-system-packages
	$(PY) -m bench.import_bench

clean:
	rm -rf models results/stories results/nlu results/console

# The staff guide's console pictures (docs/console/*.png), refreshed on purpose: the
# browser test writes them there instead of results/console/ (its place in a test run).
.PHONY: screenshots
screenshots: | $(VENV)/.installed
	scripts/ensure-system-packages
	SCREENSHOTS_DIR=docs/console $(PY) -m pytest tests/console/test_console_browser.py

# Staff web console on http://127.0.0.1:8070 (docs/console.md); staff users are added with
# `teplo console-user add NAME --role clerk|admin`.
.PHONY: console
console: var/assistant.db
	$(PY) -m console

# Console benchmark: the month page at 300,000 meters on a throw-away PostgreSQL.
.PHONY: console-bench
console-bench: | $(VENV)/.installed
	scripts/ensure-system-packages
	$(PY) -m bench.console_bench

# Billing hand-over (issue 14): the pull API on loopback (put it behind the HTTPS proxy),
# and its benchmark: 300,000 readings as a drop file and pulled through the API.
.PHONY: billing-api billing-bench
billing-api: | $(VENV)/.installed
	BILLING_API_HOST=$${BILLING_API_HOST:-127.0.0.1} $(PY) -m billing_api

billing-bench: | $(VENV)/.installed
	scripts/ensure-system-packages
	$(PY) -m bench.billing_bench
