# Tally — the two commands a new machine needs:
#   make demo   installs what is missing, builds, loads the sample data, shows what was loaded
#   make test   installs what is missing, runs every test
SHELL := /bin/bash
.DEFAULT_GOAL := demo

DEBIAN_PACKAGES := libcsv-dev libsqlite3-dev sqlite3 libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils libqpdf-dev libarchive-dev libxml2-dev
SWIFT ?= swift
OUT ?= out
DB ?= $(OUT)/demo.sqlite
TALLY ?= .build/release/tally
# What `bulletin` and `notebooks` build first; `make test` runs them on its debug build instead.
TALLY_BUILD ?= build

.PHONY: deps build demo test sample bench-ingest bench-xlsx bench-engine bench-stats bench-first-figures bench-decisions clean

## deps: install the Debian packages Tally needs, if any is missing (root, or sudo).
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## build: the release `tally` binary at .build/release/tally
build: deps
	$(SWIFT) build -c release --product tally

## demo: the sample year as an office runs it: each month's export loaded in order into $(DB) (its
## corrections with --revise --reason, the retraction), that month's bulletin written in Korean and English
## to $(OUT)/demo/2024-MM and verified; at the end every bulletin is verified again against the final store
MONTHS := 01 02 03 04 05 06 07 08 09 10 11 12
demo: build
	@mkdir -p $(OUT)
	@rm -rf $(DB) $(DB).cache $(OUT)/demo
	@for m in $(MONTHS); do \
	  echo "== 2024-$$m: loading Data/sample/monthly/2024-$$m"; \
	  Scripts/load-month.sh $(TALLY) $(DB) Data/sample/monthly/2024-$$m || exit 1; \
	  for lang in ko en; do \
	    $(TALLY) bulletin --db $(DB) --period 2024-$$m --lang $$lang --out $(OUT)/demo/2024-$$m > /dev/null || exit 1; \
	  done; \
	  $(TALLY) verify --db $(DB) --quiet $(OUT)/demo/2024-$$m/manifest.json || exit 1; \
	done
	$(TALLY) status --db $(DB)
	$(TALLY) stats --db $(DB) --period 2024-01..2024-08 --format json | grep -E '"victims\.(total|minors|minors_share)"'
	$(TALLY) stats --db $(DB) --period 2024-01..2024-09 --format json | grep -E '"arrests\.total"'
	@echo "Every month's bulletin, verified again at its own vintage against the final store:"
	@for m in $(MONTHS); do $(TALLY) verify --db $(DB) --quiet $(OUT)/demo/2024-$$m/manifest.json || exit 1; done
	@echo "Bulletins: $(OUT)/demo/2024-MM/bulletin-2024-MM-{ko,en}.pdf (MM = 01 … 12)"
	@$(MAKE) --no-print-directory demo-agency

## demo-agency: one sample month as the three agencies send it (Korean headers and labels, title and totals
## rows), read through the source profiles of Data/sources into a store of its own, $(AGENCY_DB): not into the
## demo's store, where its whole-second times would conflict with the later months' versions of the same records.
## AGENCY_DEMO=xlsx loads the month's workbooks (Data/sample/agency/2024-MM-agency.zip, the default),
## csv the same content as CSV, off skips the step.
AGENCY_DEMO ?= xlsx
AGENCY_MONTH ?= 2024-08
AGENCY_DB ?= $(OUT)/agency.sqlite
.PHONY: demo-agency agency-sample
demo-agency: build
	@if [ "$(AGENCY_DEMO)" = off ]; then exit 0; fi; \
	mkdir -p $(OUT) && rm -f $(AGENCY_DB) && rm -rf $(AGENCY_DB).cache; \
	if [ "$(AGENCY_DEMO)" = xlsx ]; then inputs=Data/sample/agency/$(AGENCY_MONTH)-agency.zip; \
	elif [ "$(AGENCY_DEMO)" = csv ]; then inputs="Data/sample/agency/$(AGENCY_MONTH)/*.csv"; \
	else echo "AGENCY_DEMO must be xlsx, csv or off, not $(AGENCY_DEMO)" >&2; exit 2; fi; \
	echo "== $(AGENCY_MONTH) as the agencies send it: $$inputs (source profiles found from each header)"; \
	for f in $$inputs; do \
	  case $$(basename $$f) in regulator-*) src=--source=regulator-takedowns;; police-*) src=--source=police-arrests;; \
	    support-*) src=--source=support-victims;; *) src=;; esac; \
	  $(TALLY) ingest --db $(AGENCY_DB) $$src $$f || exit 1; \
	done; \
	$(TALLY) status --db $(AGENCY_DB)

## agency-sample: rewrite the agency exports of one sample month (xlsx in a zip, and CSV) from its contract CSVs
agency-sample: Scripts/.venv/.installed
	Scripts/.venv/bin/python Scripts/make-agency-workbooks.py $(AGENCY_MONTH)

Scripts/.venv/.installed:
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null; }
	@[ -x Scripts/.venv/bin/pip ] || $(PYTHON) -m venv Scripts/.venv
	@echo '*' > Scripts/.venv/.gitignore
	Scripts/.venv/bin/pip install -q --disable-pip-version-check openpyxl==3.1.5
	@touch $@

## test: every unit and end-to-end test, in a debug build and again in a release build (release builds
## disable Swift's exclusivity checks; -enable-testing lets the tests' @testable imports see the modules).
## Each step runs under Scripts/watchdog.sh: past its limit (seconds; a run here takes a tenth of it) it
## prints every thread's stack of the processes still running and fails, instead of eating CI's time.
SWIFT_TEST_LIMIT ?= 1500
OTHER_TESTS_LIMIT ?= 3000
test: deps watchdog-test
	$(SWIFT) build --build-tests
	Scripts/watchdog.sh $(SWIFT_TEST_LIMIT) $(SWIFT) test --skip-build
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing
	Scripts/watchdog.sh $(SWIFT_TEST_LIMIT) $(SWIFT) test -c release --skip-build
	Scripts/watchdog.sh $(OTHER_TESTS_LIMIT) $(MAKE) notebooks browser-test spark-test store-tools-test TALLY=.build/debug/tally TALLY_BUILD=

## watchdog-test: the watchdog passes a command's status through, and stops one that runs past its limit —
## with what it started in process groups of their own (as `swift test` starts the test binary)
.PHONY: watchdog-test
watchdog-test:
	@Scripts/watchdog.sh 5 true && ! Scripts/watchdog.sh 5 false 2>/dev/null || { echo "watchdog-test: status not passed through"; exit 1; }
	@out=$$(Scripts/watchdog.sh 2 bash -c 'python3 -c "import os, time; os.setpgid(0, 0); time.sleep(61)" & sleep 60; echo ran-on' 2>&1); \
	  rc=$$?; sleep 1; \
	  if [ $$rc = 124 ] && echo "$$out" | grep -q "still running after 2 s" && ! echo "$$out" | grep -qx ran-on \
	     && ! pgrep -f "^[^ ]*python3 -c import os, time" >/dev/null; \
	  then echo "watchdog-test: ok"; else echo "watchdog-test failed (status $$rc): $$out"; pgrep -a -f "^[^ ]*python3 -c import os, time"; exit 1; fi

## fuzz: the fuzz targets (CSV reader with row validation; YAML specs) coverage-guided with libFuzzer,
## FUZZ_SECONDS each (default 600); inputs that crash are written to $(OUT)/fuzz/
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz: deps
	$(SWIFT) build --product tally-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DTALLY_LIBFUZZER \
	  -Xlinker --allow-multiple-definition
	@for t in csv yaml; do \
	  mkdir -p $(OUT)/fuzz/$$t-corpus && cp Tests/Fuzz/corpus/$$t/* $(OUT)/fuzz/$$t-corpus/; \
	  echo "libFuzzer: $$t for $(FUZZ_SECONDS) s"; \
	  TALLY_FUZZ_TARGET=$$t SWIFT_BACKTRACE=enable=no .build-fuzz/debug/tally-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -artifact_prefix=$(OUT)/fuzz/$$t- $(OUT)/fuzz/$$t-corpus || exit 1; \
	done

## sample: regenerate Data/sample with the deterministic generator
sample:
	$(SWIFT) run -c release tally-sample --out Data/sample

## bench-ingest: 1,000,000 takedown rows into the store, against DuckDB's read_csv
bench-ingest: build
	Benchmarks/ingest.sh

## bench-xlsx: 1,000,000 takedown rows from an .xlsx workbook against the same rows as CSV
bench-xlsx: build
	Benchmarks/xlsx.sh

## bench-decisions: 10,000,000 DSA statements of reasons (37 columns) into the store, against takedowns and DuckDB's read_csv
bench-decisions: build
	Benchmarks/decisions.sh

## bench-engine: 10,000,000 takedowns in memory and fresh processes, against DuckDB and Polars
bench-engine: build
	Benchmarks/engine.sh

## bench-stats: a fresh `tally stats` over 10M takedowns, 1M victims, 100k arrests
bench-stats: build
	Benchmarks/stats.sh

## bench-first-figures: 10M takedowns from CSV to the first `tally stats`, against DuckDB's read_csv and a query (issue 16)
bench-first-figures: build
	Benchmarks/first-figures.sh

clean:
	rm -rf .build $(OUT)

## gallery: the sample's charts for 2024-08 in English and Korean, PNG in Charts/gallery (README shows them)
.PHONY: gallery
gallery: build
	@mkdir -p $(OUT) Charts/gallery
	@rm -f $(OUT)/gallery.sqlite
	$(TALLY) ingest --db $(OUT)/gallery.sqlite Data/sample/*.csv > /dev/null
	$(TALLY) chart --all --db $(OUT)/gallery.sqlite --period 2024-08 --lang en --out Charts/gallery --timing
	$(TALLY) chart --all --db $(OUT)/gallery.sqlite --period 2024-08 --lang ko --out Charts/gallery --timing

## bulletin: the sample's August 2024 bulletin in Korean and English, with charts, tables and manifest, verified
.PHONY: bulletin
bulletin: $(TALLY_BUILD)
	@mkdir -p $(OUT)
	@rm -f $(OUT)/bulletin.sqlite
	$(TALLY) ingest --db $(OUT)/bulletin.sqlite Data/sample/*.csv > /dev/null
	$(TALLY) bulletin --db $(OUT)/bulletin.sqlite --period 2024-08 --lang ko --out $(OUT)/bulletin --timing
	$(TALLY) bulletin --db $(OUT)/bulletin.sqlite --period 2024-08 --lang en --out $(OUT)/bulletin --timing
	$(TALLY) verify --db $(OUT)/bulletin.sqlite --quiet $(OUT)/bulletin/manifest.json

## dsa-bulletin: the regulator's DSA bulletin (Charts/dsa-bulletin.yaml) of the real DSA fixtures for 2024-03, both
## languages, verified
.PHONY: dsa-bulletin
DSA_FIXTURES := Tests/TallyStoreTests/Fixtures/dsa
dsa-bulletin: $(TALLY_BUILD)
	@mkdir -p $(OUT)
	@rm -f $(OUT)/dsa-bulletin.sqlite
	$(TALLY) ingest --db $(OUT)/dsa-bulletin.sqlite $(DSA_FIXTURES)/*.csv > /dev/null
	$(TALLY) bulletin --db $(OUT)/dsa-bulletin.sqlite --spec Charts/dsa-bulletin.yaml --period 2024-03 --lang en --out $(OUT)/dsa-bulletin --timing
	$(TALLY) bulletin --db $(OUT)/dsa-bulletin.sqlite --spec Charts/dsa-bulletin.yaml --period 2024-03 --lang ko --out $(OUT)/dsa-bulletin --timing
	$(TALLY) verify --db $(OUT)/dsa-bulletin.sqlite --quiet $(OUT)/dsa-bulletin/manifest.json

## notebooks: execute every journalists' notebook (Notebooks/*.ipynb) on the sample bulletin; fails on any error
## or on a recomputed figure that differs from the bulletin's manifest. Executed copies go to $(OUT)/notebooks.
.PHONY: notebooks
PYTHON ?= python3
NOTEBOOK_VENV ?= Notebooks/.venv
notebooks: bulletin $(NOTEBOOK_VENV)/.installed
	@rm -rf $(OUT)/notebooks && mkdir -p $(OUT)/notebooks
	@for nb in Notebooks/*.ipynb; do \
	  echo "Executing $$nb"; \
	  TALLY=$(CURDIR)/$(TALLY) TALLY_DB=$(CURDIR)/$(OUT)/bulletin.sqlite BULLETIN_DIR=$(CURDIR)/$(OUT)/bulletin PERIOD=2024-08 \
	  MPLBACKEND=Agg JUPYTER_DATA_DIR=$(CURDIR)/$(NOTEBOOK_VENV)/share/jupyter PYDEVD_DISABLE_FILE_VALIDATION=1 \
	  $(NOTEBOOK_VENV)/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
	    --log-level=WARN --output-dir $(OUT)/notebooks "$$nb" || exit 1; \
	done
	@echo "Every notebook ran; executed copies in $(OUT)/notebooks"

# The notebooks' Python (pandas, numpy, matplotlib, nbconvert) from PyPI in a venv, rebuilt when the
# requirements change. Installs python3-venv when Python cannot make a venv (root, or sudo).
$(NOTEBOOK_VENV)/.installed: Notebooks/requirements.txt
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null; }
	@[ -x $(NOTEBOOK_VENV)/bin/pip ] || $(PYTHON) -m venv $(NOTEBOOK_VENV)
	@echo '*' > $(NOTEBOOK_VENV)/.gitignore
	$(NOTEBOOK_VENV)/bin/pip install -q --disable-pip-version-check -r Notebooks/requirements.txt
	@touch $@

## browser-test: the sample's HTML bulletin in headless Chromium (Selenium): axe-core's WCAG 2.0/2.1/2.2 A and AA
## rules, keyboard order, layout at 1280 and 390 px (screenshots in $(OUT)/browser), the print style sheet; and the
## tagged PDF read with pikepdf and the pdfua checker. Installs chromium and chromium-driver (Debian) when missing.
.PHONY: browser-test browser-deps
BROWSER_PACKAGES := chromium chromium-driver
BROWSER_VENV ?= Tests/browser/.venv
AXE_PACKAGE ?= axe-playwright-python==0.1.8
browser-deps:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(BROWSER_PACKAGES)"
browser-test: bulletin dsa-bulletin browser-deps $(BROWSER_VENV)/.installed
	@rm -rf $(OUT)/browser && mkdir -p $(OUT)/browser/dsa
	BULLETIN_DIR=$(CURDIR)/$(OUT)/bulletin SCREENSHOT_DIR=$(CURDIR)/$(OUT)/browser \
	  $(BROWSER_VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/browser
	BULLETIN_DIR=$(CURDIR)/$(OUT)/dsa-bulletin SCREENSHOT_DIR=$(CURDIR)/$(OUT)/browser/dsa BULLETIN_MIN_SECTIONS=7 BULLETIN_MIN_TABLES=6 \
	  $(BROWSER_VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/browser
	@echo "Screenshots and Chromium's print of the pages in $(OUT)/browser (the DSA bulletin's in $(OUT)/browser/dsa)"

$(BROWSER_VENV)/.installed: Tests/browser/requirements.txt
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null; }
	@[ -x $(BROWSER_VENV)/bin/pip ] || $(PYTHON) -m venv $(BROWSER_VENV)
	@echo '*' > $(BROWSER_VENV)/.gitignore
	$(BROWSER_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/browser/requirements.txt
	$(BROWSER_VENV)/bin/pip install -q --disable-pip-version-check --no-deps $(AXE_PACKAGE)
	@touch $@

## spark-test: `tally stats|rank|bulletin --engine spark` on a real local Spark (pyspark from PyPI, Java 17 from Debian)
## against Tally's own engine and `tally ingest`: the sample year, seeded generated sets with bad rows (takedowns and
## decisions), the DSA fixtures, and the bulletin with its verification (five Spark jobs: minutes, not seconds).
## Without Java the target fails loudly: the Spark engine is then untested, which CI must not pass.
.PHONY: spark-test spark-deps
SPARK_PACKAGES := openjdk-17-jre-headless
SPARK_VENV ?= Tests/spark/.venv
spark-deps:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(SPARK_PACKAGES)"
spark-test: spark-deps $(SPARK_VENV)/.installed
	@java -version >/dev/null 2>&1 || { echo "ERROR: Java is not installed or does not run (Debian: openjdk-17-jre-headless); the Spark engine's tests cannot run" >&2; exit 1; }
	TALLY=$(CURDIR)/$(TALLY) $(SPARK_VENV)/bin/python -m pytest -q -p no:cacheprovider -s Tests/spark

$(SPARK_VENV)/.installed: Tests/spark/requirements.txt
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null; }
	@[ -x $(SPARK_VENV)/bin/pip ] || $(PYTHON) -m venv $(SPARK_VENV)
	@echo '*' > $(SPARK_VENV)/.gitignore
	$(SPARK_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/spark/requirements.txt
	@touch $@

## store-tools-test: the store stays an ordinary SQLite database: after ingest and figures (a column cache beside
## it) the sqlite3 program and Datasette (from PyPI, served for real over HTTP) open it and count every record.
.PHONY: store-tools-test
STORE_TOOLS_VENV ?= Tests/store-tools/.venv
store-tools-test: $(TALLY_BUILD) $(STORE_TOOLS_VENV)/.installed
	TALLY=$(CURDIR)/$(TALLY) $(STORE_TOOLS_VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/store-tools

$(STORE_TOOLS_VENV)/.installed: Tests/store-tools/requirements.txt
	@[ -x $(STORE_TOOLS_VENV)/bin/pip ] || $(PYTHON) -m venv $(STORE_TOOLS_VENV)
	@echo '*' > $(STORE_TOOLS_VENV)/.gitignore
	$(STORE_TOOLS_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/store-tools/requirements.txt pytest
	@touch $@

## bench-spark: 1,000,000 takedowns (10,000,000 with SPARK_BENCH_ROWS=10000000): Spark local[2] against Tally's engine
.PHONY: bench-spark
bench-spark: build $(SPARK_VENV)/.installed
	Benchmarks/spark.sh
