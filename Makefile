# Two commands matter: `make demo` (quick start) and `make test` (what CI runs).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/slagen validate
	$(BIN)/slagen tiers
	$(BIN)/slagen build premium --customer acme

# LibreOffice checks that the Word file opens without repair; poppler renders PDFs for inspection;
# HarfBuzz-Subset lets WeasyPrint subset fonts several times faster than its fontTools fallback.
SYSTEM_PACKAGES := libreoffice-writer-nogui poppler-utils libharfbuzz-subset0
system-deps:
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
	    || ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(SYSTEM_PACKAGES) (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(SYSTEM_PACKAGES) >/dev/null; \
	  else \
	    echo "note: soffice, pdftoppm or libharfbuzz-subset missing and not root: the LibreOffice check will be skipped"; \
	  fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) dist build
