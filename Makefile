# Front door of the Jiangyin resident-pension payout pipeline. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV_VERSION := 0.13.8
UV := $(TOOLS)/bin/uv
INSTALLED := $(VENV)/.installed
MONTH ?= 2021-03
YEAR ?= 2021
OUT ?= out

export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export PREFECT_HOME ?= $(CURDIR)/.prefect
export DO_NOT_TRACK := 1
POOL := payout-process

.PHONY: help install run run-dask dask-cluster close validate indicators audit test lint bench bench-scale bench-province scale-check sample clean serve worker

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(INSTALLED): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(INSTALLED) ## create .venv with the locked dependencies (done by every target)

run: $(INSTALLED) ## the monthly Prefect flow on the sample: make run MONTH=2021-03 [APPROVAL=1] (catches up earlier months)
	$(VENV)/bin/python -m flows.local --month $(MONTH) --catch-up --out $(OUT) $(if $(APPROVAL),--approval)

run-dask: $(INSTALLED) ## the month partitioned by county on Dask: make run-dask MONTH=2021-03 [WORKERS=2] (or the cluster at DASK_SCHEDULER_ADDRESS)
	$(VENV)/bin/python -m flows.local_dask --month $(MONTH) --catch-up --out $(OUT) $(if $(WORKERS),--workers $(WORKERS))

DASK_PORT ?= 8786
WORKERS ?= $(shell nproc)
dask-cluster: $(INSTALLED) ## a Dask scheduler and WORKERS one-thread workers here until stopped (docs/scale.md: more machines)
	@test -n "$$PREFECT_API_URL" || { echo "make dask-cluster needs a Prefect server the workers report to: export PREFECT_API_URL=http://host:4200/api" >&2; exit 2; }
	@echo "scheduler tcp://$$(hostname):$(DASK_PORT): export DASK_SCHEDULER_ADDRESS=tcp://$$(hostname):$(DASK_PORT) for make run-dask; the dashboard link is the scheduler's line below (and in make run-dask's log)"
	DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0 $(VENV)/bin/dask scheduler --port $(DASK_PORT) --dashboard-address :8787 & \
		trap "kill $$!" EXIT; \
		$(VENV)/bin/dask worker tcp://127.0.0.1:$(DASK_PORT) --nworkers $(WORKERS) --nthreads 1

close: $(INSTALLED) ## close (release) a drafted month: make close MONTH=2021-03
	$(VENV)/bin/payout close --month $(MONTH) --out $(OUT)

validate: $(INSTALLED) ## list the bad rows of a month's inputs without running it
	$(VENV)/bin/payout validate --month $(MONTH) --out $(OUT)

indicators: $(INSTALLED) ## the year's indicators, budget and next declaration: make indicators YEAR=2021
	$(VENV)/bin/payout indicators --year $(YEAR) --out $(OUT)

serve: $(INSTALLED) ## local use: Prefect UI on localhost:4200 (or PREFECT_API_URL) serving both schedules until stopped
	$(VENV)/bin/python -m flows.serve

worker: $(INSTALLED) ## production: deploy prefect.yaml to PREFECT_API_URL's server and run its process work pool
	@test -n "$$PREFECT_API_URL" || { echo "make worker needs a Prefect server: export PREFECT_API_URL=http://host:4200/api" >&2; exit 2; }
	$(VENV)/bin/prefect work-pool inspect $(POOL) >/dev/null 2>&1 || $(VENV)/bin/prefect work-pool create --type process $(POOL)
	PAYOUT_CHECKOUT=$(CURDIR) $(VENV)/bin/prefect --no-prompt deploy --all
	PAYOUT_CHECKOUT=$(CURDIR) $(VENV)/bin/prefect worker start --pool $(POOL)

audit: $(INSTALLED) ## open DuckDB on the ledgers with the auditors' views: make audit [OUT=DIR]
	@views=$$(mktemp --suffix=.sql) && trap 'rm -f $$views' EXIT && $(VENV)/bin/payout audit --sql > $$views && \
		cd $(abspath $(OUT)) && $(CURDIR)/$(VENV)/bin/duckdb -init $$views -cmd ".read $(CURDIR)/pipeline/sql/audit/startup.sql"

test: $(INSTALLED) ## run the test suite
	$(VENV)/bin/pytest

lint: $(INSTALLED) ## check style with ruff
	$(VENV)/bin/ruff check pipeline schemas flows tests tools

bench: $(INSTALLED) ## the targets: 124k first month vs a bare DuckDB baseline, its accounts vs none (and December's), December vs January, month 120 vs 1 (20k people); per-step time, CPU, peak memory
	$(VENV)/bin/payout-dev bench --targets first-month accounts december accounts-december decade

bench-scale: $(INSTALLED) ## the first month's run at 1M and 3M roster rows, per-step time, CPU and peak memory (minutes)
	$(VENV)/bin/payout-dev bench --rows 1000000 3000000 --stage run --repeats 1

bench-province: $(INSTALLED) ## 10M roster rows, first month, against the baseline and 8 GB of peak memory (a worker above 12 GB is killed)
	$(VENV)/bin/payout-dev bench --targets province --repeats 1

scale-check: $(INSTALLED) ## a synthetic year at the seed's scale (124k people) against the declared budget lines (minutes)
	$(VENV)/bin/payout-dev scale-check --year $(YEAR)

SAMPLE_RUN := bench/sample-run
sample: $(INSTALLED) ## regenerate data/sample: generate the months, run February as usual, answer its JRCB batch
	$(VENV)/bin/payout-dev sample inboxes
	rm -rf $(SAMPLE_RUN)
	$(VENV)/bin/payout run --month 2021-02 --catch-up --inbox data/sample/inbox --out $(SAMPLE_RUN) --quiet
	$(VENV)/bin/payout-dev sample bank-return --issued $(SAMPLE_RUN)
	rm -rf $(SAMPLE_RUN)

clean: ## remove outputs and environments
	rm -rf $(OUT) $(VENV) $(TOOLS) .prefect .pytest_cache
