# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install run test check eval bench vectors clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Cần Python 3.11 ($(PYTHON) không có)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	# torch first and exactly: anything else would pull the multi-GB CUDA build.
	$(BIN)/pip install "torch==2.13.0"
	$(BIN)/pip install -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/nghiquyet serve

test: install
	$(BIN)/python -m pytest

# The quick loop while editing: every test that needs no model (the import contract among them), on all cores.
check: install
	$(BIN)/python -m pytest -m "not slow and not system" -n auto -q

eval: install
	$(BIN)/nghiquyet eval --ingest data/corpus

bench: install
	$(BIN)/python benchmarks/retrieval_bench.py

# After a change of the bundled corpus, of chunking or of embed_context (a test says when).
vectors: install
	$(BIN)/python -m nghiquyet.corpus_vectors

clean:
	rm -rf $(VENV) .nghiquyet
