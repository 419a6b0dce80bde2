# The two commands of the README:
#   make demo   the sandbox LMS on SQLite with the Stripe emulator, ready to buy a course
#   make test   the whole test suite, on SQLite then on MariaDB
.PHONY: demo test test-frontend test-sqlite test-mariadb test-compat lint messages compile-messages benchmark benchmark-smoke clean

VENV ?= .venv

$(VENV)/.installed: pyproject.toml tutor_plugin/pyproject.toml scripts/venv.sh
	scripts/venv.sh $(VENV)
	touch $@

# make demo PORT=8001 serves on another port; make demo KEEP=1 keeps the previous run's database.
PORT ?= 8000
demo: $(VENV)/.installed
	$(VENV)/bin/python -m sandbox.demo --port $(PORT) $(if $(KEEP),--keep)

test: $(VENV)/.installed
	scripts/test.sh $(VENV)

test-frontend:
	frontend/test.sh

test-sqlite: $(VENV)/.installed
	RISEUP_TEST_DB=sqlite $(VENV)/bin/python -m pytest

test-mariadb: $(VENV)/.installed
	RISEUP_TEST_DB=mariadb $(VENV)/bin/python -m pytest

# The other supported corner: Python 3.11 with Django 4.2 (SQLite).
test-compat:
	PYTHON_VERSION=3.11 DJANGO_SPEC="Django>=4.2,<5.0" scripts/venv.sh .venv-compat
	RISEUP_TEST_DB=sqlite .venv-compat/bin/python -m pytest -m "not browser" tests

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check riseup_stripe_plugin sandbox tests

messages: $(VENV)/.installed
	cd riseup_stripe_plugin && ../$(VENV)/bin/django-admin makemessages -l fr --no-obsolete

compile-messages: $(VENV)/.installed
	cd riseup_stripe_plugin && ../$(VENV)/bin/django-admin compilemessages

# The plugin side by side with its baselines, in one run; the report goes to $(BENCH_OUT).
# BENCH_SIZE=smoke (or make benchmark-smoke) runs tiny sizes, as CI does.
BENCH_SIZE ?= full
BENCH_OUT ?= benchmarks/results

$(VENV)/.bench-installed: $(VENV)/.installed benchmarks/requirements.txt
	$(VENV)/bin/python -m pip install --quiet -r benchmarks/requirements.txt
	touch $@

benchmark: $(VENV)/.bench-installed
	$(VENV)/bin/python -m benchmarks.run --size $(BENCH_SIZE) --out $(BENCH_OUT)

benchmark-smoke: $(VENV)/.bench-installed
	$(VENV)/bin/python -m benchmarks.run --size smoke --out $(BENCH_OUT)

clean:
	rm -rf $(VENV) .venv-compat benchmarks/.venv-djstripe benchmarks/results sandbox.sqlite3 build dist *.egg-info
