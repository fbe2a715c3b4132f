# Two entry points: `make run` and `make test`. Both set up everything on a fresh Debian/Ubuntu.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Shared libraries PySide6 wheels load at import time (xcb platform plugin, EGL, fonts) and
# the tools the tests use (Xvfb for screenshots, poppler for PDF text).
SYSTEM_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libnss3 libxcomposite1 \
	libxdamage1 libxrandr2 libxtst6 libasound2 fonts-dejavu-core poppler-utils
# Independent iCalendar parsers the interoperability tests compare exports against:
# libical through the system Python's GObject introspection, ical.js through Node.
# PostgreSQL: the tests start a throwaway server of their own (the team's book engine);
# openssl makes the certificate of the TLS mail tests.
TEST_SYSTEM_PACKAGES := gir1.2-ical-3.0 python3-gi postgresql openssl
INTEROP := tests/interop

.PHONY: run test lint types pytest soak system-deps apt-install test-deps clean dist dist-test

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(SYSTEM_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing system packages:$$missing"; \
			SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
		else echo "Please install:$$missing"; fi; \
	fi

run: $(STAMP)
	$(BIN)/amplan

lint: $(STAMP)
	$(BIN)/ruff check desktop tests benchmarks
	$(BIN)/ruff format --check desktop tests benchmarks

types: $(STAMP)
	$(BIN)/mypy desktop benchmarks

$(INTEROP)/node_modules/.installed: $(INTEROP)/package.json $(INTEROP)/package-lock.json
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_SYSTEM_PACKAGES)"
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory apt-install PACKAGES="nodejs npm"
	cd $(INTEROP) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-deps: $(STAMP) $(INTEROP)/node_modules/.installed
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_SYSTEM_PACKAGES)"

pytest: test-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

test: lint types pytest

# The standalone bundle: dist/amplan/ (runs without Python or the venv), its tarball, and the
# wheel (`pipx install .` takes the same). Only the Linux build is tested here.
DIST_STAMP := $(VENV)/.dist-installed
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' desktop/__init__.py)

$(DIST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,dist]'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	rm -rf dist/amplan build/pyinstaller
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/amplan.spec
	mkdir -p dist/amplan/share
	cp packaging/amplan.desktop resources/icons/amplan.svg dist/amplan/share/
	cp packaging/install.sh dist/amplan/
	tar -C dist -czf dist/amplan-$(VERSION)-linux-$$(uname -m).tar.gz amplan
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
	@echo "Built dist/amplan/ (run dist/amplan/install.sh), its tarball and the wheel."

dist-test: dist
	AMPLAN_BUNDLE=$(CURDIR)/dist/amplan QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q tests/dist
# The long run of the safety tests: 200 kills (50 per action) and 10,000 fuzz cases (2,500 per
# target); prints the counts.
soak: test-deps
	QT_QPA_PLATFORM=offscreen AMPLAN_KILLS=50 AMPLAN_FUZZ_EXAMPLES=2500 \
		$(BIN)/python -m pytest -q -s tests/test_crash.py tests/test_fuzz.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
