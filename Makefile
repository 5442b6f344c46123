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

.PHONY: demo test sysdeps venv bench clean

sysdeps:
	@bash installer/sysdeps.sh

$(VENV)/.installed: pyproject.toml $(PLUGINS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	@for p in $(dir $(PLUGINS)); do echo "installing plugin $$p"; $(PIP) install -q -e "$$p" || exit 1; done
	@touch $@

venv: $(VENV)/.installed

$(DEMO_DIR)/truth.json: | venv
	$(VENV)/bin/workstation demo --out $(DEMO_DIR)

demo: sysdeps venv $(DEMO_DIR)/truth.json
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = "Darwin" ]; then \
		$(VENV)/bin/workstation view $(DEMO_DIR); \
	else \
		echo "No display: printing the demo study's summary and rendering the viewer to $(DEMO_DIR)/viewer.png"; \
		$(VENV)/bin/workstation demo --out $(DEMO_DIR) --show && \
		$(HEADLESS) $(VENV)/bin/workstation view $(DEMO_DIR) --layout grid --screenshot $(DEMO_DIR)/viewer.png; \
	fi

HEADLESS := QT_QPA_PLATFORM=offscreen VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow

# the workstation's suite, then each plugin's own suite (separate sessions: each has its conftest)
test: sysdeps venv
	$(HEADLESS) $(PY) -m pytest -q -p no:cacheprovider tests $(PYTEST_ARGS)
	@for p in $(dir $(PLUGINS)); do \
		echo "== plugin tests: $$p"; \
		(cd $$p && $(HEADLESS) $(CURDIR)/$(PY) -m pytest -q -p no:cacheprovider tests $(PYTEST_ARGS)) || exit 1; \
	done

bench: venv
	@for b in bench/bench_*.py plugins/*/bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_DIR) build *.egg-info
