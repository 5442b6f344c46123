# The two set-up commands of the README:  make demo  and  make test.
# Both create .venv in the repository root, install the workstation into it, and (as root) the
# Debian packages it needs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DEMO_DIR := demo-study
PLUGINS := $(wildcard plugins/*/pyproject.toml)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: brain-demo-db demo test fuzz fuzz-ci sysdeps venv bench clean bundle bundle-test dist-linux translations i18n-update

sysdeps:
	@bash installer/sysdeps.sh

$(VENV)/.installed: pyproject.toml $(PLUGINS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,cohort,cluster]'
	@for p in $(dir $(PLUGINS)); do echo "installing plugin $$p"; $(PIP) install -q -e "$$p" || exit 1; done
	@touch $@

venv: $(VENV)/.installed

# the viewer's translations: resources/i18n/*.ts (sources, in git) -> *.qm (built, not in git)
TS_FILES := $(wildcard resources/i18n/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
resources/i18n/%.qm: resources/i18n/%.ts | venv
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@
translations: $(QM_FILES)

# after changing visible strings in ui/: refresh the catalogues (then translate what is unfinished)
i18n-update: venv
	$(VENV)/bin/pyside6-lupdate -no-obsolete $(shell find workstation/ui -name '*.py' | sort) -ts $(TS_FILES)

$(DEMO_DIR)/truth.json: | venv
	$(VENV)/bin/workstation demo --out $(DEMO_DIR)

demo: sysdeps venv translations $(DEMO_DIR)/truth.json brain-demo-db
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = "Darwin" ]; then \
		$(VENV)/bin/workstation view $(DEMO_DIR); \
		$(VENV)/bin/workstation brain $(DEMO_DIR) --db $(BRAIN_DEMO_DB) --view; \
	else \
		echo "No display: printing the demo study's summary and rendering the viewer to $(DEMO_DIR)/viewer.png"; \
		$(VENV)/bin/workstation demo --out $(DEMO_DIR) --show && \
		$(HEADLESS) $(VENV)/bin/workstation view $(DEMO_DIR) --layout grid --screenshot $(DEMO_DIR)/viewer.png && \
		echo "Brain reading of the demo head (synthetic database): $(DEMO_DIR)/brain.pdf, $(DEMO_DIR)/brain.png" && \
		$(HEADLESS) $(VENV)/bin/workstation brain $(DEMO_DIR) --db $(BRAIN_DEMO_DB) --report $(DEMO_DIR)/brain.pdf \
			--view --screenshot $(DEMO_DIR)/brain.png --force; \
	fi

# the synthetic brain normal database the demo's brain is read against (built once, a few minutes)
BRAIN_DEMO_DB := demo-synthetic
brain-demo-db: | venv
	@$(VENV)/bin/workstation brain normals list | grep -q "^$(BRAIN_DEMO_DB):" || \
		$(VENV)/bin/workstation brain normals demo --db $(BRAIN_DEMO_DB) --n 12

HEADLESS := QT_QPA_PLATFORM=offscreen VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow

# The whole suite in one pytest run: the workstation's tests, the GUI tests and each plugin's own suite
# (its conftest applies to its folder), spread over the machine's cores by pytest-xdist (PYTEST_WORKERS=0:
# in this process only). The GUI tests share the process since the PySide6 release that dropped a
# reference to True on every signal emit is excluded (pyproject.toml) and garbage is collected on the
# main thread only (tests/conftest.py, ui/workers.py).
PLUGIN_TESTS := $(wildcard plugins/*/tests)
PYTEST_WORKERS ?= auto
test: sysdeps venv translations
	$(HEADLESS) $(PY) -m pytest -q -p no:cacheprovider $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile) \
		--durations=25 tests $(PLUGIN_TESTS) $(PYTEST_ARGS)

# the fuzz targets of tests/fuzz with a long budget (make test runs them with a short one);
# FUZZ_EXAMPLES per target, counts written to fuzz-report.txt
FUZZ_EXAMPLES ?= 20000
fuzz: venv
	rm -f fuzz-report.txt
	WORKSTATION_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) WORKSTATION_FUZZ_REPORT=$(CURDIR)/fuzz-report.txt \
		$(HEADLESS) $(PY) -m pytest -q -p no:cacheprovider -p no:logging tests/fuzz $(PYTEST_ARGS)
	@cat fuzz-report.txt

# the same targets at a budget that fits a CI run (about 1 min on 2 loaded cores: 500 per target);
# .ci/run calls it after `make test`
FUZZ_CI_EXAMPLES ?= 500
fuzz-ci: venv
	$(MAKE) fuzz FUZZ_EXAMPLES=$(FUZZ_CI_EXAMPLES)

# The one-folder application (PyInstaller): dist/workstation/workstation takes the CLI's sub-commands.
BUNDLE := dist/workstation/workstation
bundle: venv translations
	$(PIP) install -q "pyinstaller>=6.10"
	$(PY) installer/make_icon.py build/icon
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer/workstation.spec
	cp installer/install-linux.sh dist/workstation/
	@du -sh dist/workstation

# smoke tests of the frozen build (version, demo, screenshot pixels, plugins, frozen recon child, Linux install)
bundle-test: sysdeps bundle
	$(HEADLESS) WORKSTATION_BUNDLE=$(BUNDLE) $(PY) -m pytest -q -p no:cacheprovider tests/installer $(PYTEST_ARGS)

# the Linux download: the bundle folder (with install-linux.sh inside) as a .tar.gz
dist-linux: bundle
	tar -C dist -czf dist/workstation-linux-x86_64.tar.gz workstation
	@ls -lh dist/workstation-linux-x86_64.tar.gz

bench: venv
	@for b in bench/bench_*.py plugins/*/bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info
