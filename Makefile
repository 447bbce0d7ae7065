# The two commands of the README, and a few helpers. Only Python 3.11+ is needed: uv is
# installed into .tools/ when it is not already on the PATH.
SHELL := /bin/bash
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export PORT

.PHONY: run test bench install lint messages setup

$(UV):
	python3 -m venv .tools && .tools/bin/python -m pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --quiet

setup: install
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py setup_shop
	$(UV) run python manage.py load_demo

run: setup
	@echo "Starting on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server, the worker and beat)"
	@# honcho gives each process a PORT of its own (the worker's is 100 more): links in emails
	@# follow the web server's. Ctrl-C: honcho stops both and exits with 130, the normal end
	@# (marketplace/dev_processes.py gives the worker 30 s to finish its task).
	@SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(UV) run python -m marketplace.dev_processes \
		|| [ $$? -eq 130 ]

test: install
	$(UV) run pytest $(PYTEST_ARGS)

bench: install
	$(UV) run python -m bench

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	@# The house plan's floors (DESIGN.md), contracts in pyproject.toml.
	PYTHONPATH=. $(UV) run lint-imports

messages: install
	$(UV) run python manage.py makemessages -l fr --ignore ".venv/*" --ignore ".tools/*" --ignore "var/*"
	$(UV) run python manage.py compilemessages --ignore ".venv/*" --ignore ".tools/*"
