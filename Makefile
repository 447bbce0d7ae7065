# The two commands of the README, and a few helpers. Only Python 3.11+ is needed: uv is
# installed into .tools/ when it is not already on the PATH.
SHELL := /bin/bash
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export PORT

.PHONY: run run-stripe test bench install lint messages setup

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

# `make run` against localstripe, a fake Stripe started here and stopped with the site (README,
# "Online payment"): card and SEPA debit offered, each demo farm with a connected account. Its
# webhooks go to the site, signed with the same secret.
LOCALSTRIPE_PORT ?= 8420
LOCALSTRIPE_URL := http://127.0.0.1:$(LOCALSTRIPE_PORT)

run-stripe: install
	@$(UV) run python -m tests.payments.localstripe --port $(LOCALSTRIPE_PORT) \
		--webhook "$${SITE_URL:-http://127.0.0.1:$(PORT)}/paiements/stripe/webhook/" & \
	localstripe=$$!; \
	trap 'kill $$localstripe 2>/dev/null; wait $$localstripe' EXIT; \
	STRIPE_SECRET_KEY=sk_test_localstripe STRIPE_PUBLISHABLE_KEY=pk_test_localstripe \
	STRIPE_WEBHOOK_SECRET=whsec_localstripe STRIPE_API_BASE=$(LOCALSTRIPE_URL) \
	STRIPE_JS_URL=$(LOCALSTRIPE_URL)/js.stripe.com/v3/ $(MAKE) --no-print-directory run

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
