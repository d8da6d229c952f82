# Tư liệu: `make demo` builds and shows a demo archive; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: Tesseract with its Vietnamese, English and orientation data; the fonts the
# sample generator draws Vietnamese pages with; Chromium for the browser tests; libmagic for the
# IIIF image validator; Pango for WeasyPrint, which writes the plan's report as PDF (in DejaVu, which
# covers Vietnamese), and poppler-utils, with which the tests read that PDF back; Redis, the
# broker the tests of `archive worker` start their own of.
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd \
	fonts-dejavu-core fonts-dejavu-extra chromium libmagic1 libpango-1.0-0 libpangoft2-1.0-0 \
	poppler-utils redis-server
DEMO := demo-data
# The deep-zoom viewer, from the npm registry (package.json, package-lock.json), served by the
# archive itself and copied into exported exhibitions. npm ci also brings the devDependencies,
# never served: axe-core, the accessibility checker the browser tests run in the page, and
# Mirador and Universal Viewer, the IIIF viewers partners use, which the viewer tests load the
# catalogue's manifests into.
VIEWER := iiif/vendor/openseadragon

.PHONY: demo test test-fast lint system-packages assets bench bench-catalogue clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

system-packages:
	@scripts/system-packages.sh $(SYSTEM_PACKAGES)

assets: $(VIEWER)/.installed catalogue/translations/.compiled

$(VIEWER)/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VIEWER) && mkdir -p $(VIEWER)
	cp -r node_modules/openseadragon/build/openseadragon/openseadragon.min.js \
		node_modules/openseadragon/build/openseadragon/images $(VIEWER)/
	touch $@

catalogue/translations/.compiled: $(wildcard catalogue/translations/*/LC_MESSAGES/messages.po) | $(VENV)/.installed
	$(BIN)/pybabel -q compile -d catalogue/translations
	touch $@

$(DEMO)/samples/.made: demo/samples.py | $(VENV)/.installed
	rm -rf $(DEMO)/samples
	$(BIN)/python -m demo.samples $(DEMO)/samples
	touch $@

demo: system-packages $(VENV)/.installed assets $(DEMO)/samples/.made
	$(BIN)/archive --home $(DEMO)/archive init
	$(BIN)/archive --home $(DEMO)/archive ingest $(DEMO)/samples/photos \
		--collection kon-tum/anh --report $(DEMO)/photos-report.json
	$(BIN)/archive --home $(DEMO)/archive ingest $(DEMO)/samples/documents \
		--collection kon-tum/van-ban --report $(DEMO)/documents-report.json
	$(BIN)/archive --home $(DEMO)/archive reindex --check >/dev/null \
		|| $(BIN)/archive --home $(DEMO)/archive reindex
	$(BIN)/python -m demo.exhibitions $(DEMO)/archive
	for definition in $(DEMO)/archive/exhibitions/*.yaml; do \
		$(BIN)/archive --home $(DEMO)/archive exhibition publish $$definition || exit 1; \
		$(BIN)/archive --home $(DEMO)/archive exhibition export $$definition \
			--out $(DEMO)/sites/$$(basename $$definition .yaml) \
			--base-url http://localhost:8001/$$(basename $$definition .yaml) || exit 1; \
	done
	$(BIN)/archive --home $(DEMO)/archive status
	@# one administrator of the staff workspace, with a new password each time
	$(BIN)/archive --home $(DEMO)/archive user reset-password admin --generate 2>/dev/null \
		|| $(BIN)/archive --home $(DEMO)/archive user add admin --role admin --generate
	@echo "serving the demo catalogue at http://127.0.0.1:8000/ (Ctrl-C stops it);"
	@echo "the staff workspace at http://127.0.0.1:8000/staff/ (user admin, the password above)"
	$(BIN)/archive --home $(DEMO)/archive serve

# Each test of an archive runs on SQLite and on the machine's PostgreSQL (tests/databases.py;
# `pytest --db=sqlite` for one). The suite runs in one process per core (pytest-xdist), a test
# module's tests in the same process, so that what a module builds once is built once.
PARALLEL := --numprocesses auto --dist loadscope

test: system-packages $(VENV)/.installed assets lint
	$(BIN)/pytest $(PARALLEL) --durations=15

test-fast: system-packages $(VENV)/.installed assets
	$(BIN)/pytest $(PARALLEL) -m "not slow"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/ingest.py

# wrk, a load generator in C, leaves the server the machine's cores.
bench-catalogue: $(VENV)/.installed
	@scripts/system-packages.sh wrk
	$(BIN)/python benchmarks/catalogue_load.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache node_modules iiif/vendor
