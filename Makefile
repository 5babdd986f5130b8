# Two commands: `make demo` builds a release from the bundled samples, `make test` runs the suite.
# Both create .venv and install the project into it first; nothing else needs to be installed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint quality bench tokenizer clean

# torch is installed first and pinned to the build this machine kind has on disk (a CPU build);
# installing the training extras before it would pull a multi-GB CUDA build. On a CUDA machine,
# set TORCH="torch==2.13.0 --index-url <your CUDA wheel index>" or install torch yourself first.
TORCH ?= torch==2.13.0

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e ".[dev,train,segmenters,dask]"
	$(BIN)/python -m pip install --quiet cython
	$(BIN)/python -m pip install --quiet --no-build-isolation pkuseg
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sft run data/demo.yaml
	$(BIN)/sft release list demo

test: $(STAMP)
	$(BIN)/python -m pytest

quality: $(STAMP)
	$(BIN)/python bench/quality.py

bench: $(STAMP)
	$(BIN)/python bench/engine_bench.py

lint: $(STAMP)
	$(BIN)/ruff check schemas pipeline flows tests bench
	$(BIN)/ruff format --check schemas pipeline flows tests bench

tokenizer: $(STAMP)
	$(BIN)/python -m pipeline.render.tiny_tokenizer data/samples data/tokenizers/tiny-zh

clean:
	chmod -R u+w data/releases 2>/dev/null || true
	rm -rf data/releases data/work .prefect
