# Two commands matter: `make demo` (quick start) and `make test` (what CI runs).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint runtime-deps system-deps ooxml-validator clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP) runtime-deps
	$(BIN)/slagen validate
	$(BIN)/slagen tiers
	$(BIN)/slagen build premium --customer acme

# Runtime: HarfBuzz-Subset lets WeasyPrint subset fonts several times faster than its fontTools
# fallback; Liberation Sans and Serif are the fonts the stylesheets name first (without them WeasyPrint
# takes the wider DejaVu and the Premium one-pager no longer fits on one page); Noto CJK sets Chinese
# text. Tests also need LibreOffice (the Word file opens without repair), poppler (PDFs rendered for
# inspection) and Chromium with its driver (`slagen serve`).
RUNTIME_PACKAGES := libharfbuzz-subset0 fonts-liberation2 fonts-noto-cjk
TEST_PACKAGES := $(RUNTIME_PACKAGES) libreoffice-writer-nogui poppler-utils chromium chromium-driver
# Installs the missing ones of $(1) as root on Debian; elsewhere names them and goes on.
define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing" $$missing "(apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: missing system packages:" $$missing "(not root): what needs them is skipped"; \
	  fi; \
	fi
endef

runtime-deps:
	$(call install_missing,$(RUNTIME_PACKAGES))

system-deps:
	$(call install_missing,$(TEST_PACKAGES))

# Microsoft's Open XML SDK validator for the Word files the tests make (npm package, pinned by
# tests/ooxml/package-lock.json); without node and npm the validation test is skipped with its reason.
OOXML_VALIDATOR := tests/ooxml/node_modules/.package-lock.json
ooxml-validator: $(OOXML_VALIDATOR)
$(OOXML_VALIDATOR): tests/ooxml/package-lock.json
	@if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing nodejs npm (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix tests/ooxml --no-save --no-audit --no-fund --loglevel=error \
	    || echo "note: npm could not install the OOXML validator: the Open XML SDK validation test is skipped"; \
	else echo "note: npm is missing: the Open XML SDK validation test is skipped"; fi

test: $(STAMP) system-deps ooxml-validator
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) dist build
