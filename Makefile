# loopscope -- one Makefile for everything.
#
# Folders are compiled with different flags (SameBoy's rule): src/core sees
# neither SDL nor cJSON, so an accidental include fails to build; only
# src/scenario sees cJSON and only src/ui (and main.c) see SDL.
#
#   make            build/loopscope
#   make run        open the app on the default scenario (installs packages if missing)
#   make test       unit tests, layering check, bad-input corpus, CPython conformance, UI tests
#   make asan       the suites again under AddressSanitizer + UBSan
#   make fuzz       libFuzzer on load+run+seek+export for FUZZ_SECONDS (60)

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wwrite-strings -Wundef -Wno-unused-parameter
CFLAGS_BASE := -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) $(WARN) -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS_BASE := $(EXTRA_LDFLAGS)

# cairo writes the lecture handouts as PDF (src/ui/app.c)
SDL_CFLAGS := $(shell pkg-config --cflags sdl2 SDL2_ttf SDL2_image cairo 2>/dev/null)
SDL_LIBS   := $(shell pkg-config --libs sdl2 SDL2_ttf SDL2_image cairo 2>/dev/null)
CJSON_LIBS := -lcjson

CORE_SRC     := $(wildcard src/core/*.c)
SCENARIO_SRC := $(wildcard src/scenario/*.c)
EXPORT_SRC   := $(wildcard src/export/*.c)
UI_SRC       := $(wildcard src/ui/*.c)

CORE_OBJ     := $(CORE_SRC:%.c=$(BUILD)/%.o)
SCENARIO_OBJ := $(SCENARIO_SRC:%.c=$(BUILD)/%.o)
EXPORT_OBJ   := $(EXPORT_SRC:%.c=$(BUILD)/%.o)
UI_OBJ       := $(UI_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ     := $(BUILD)/src/main.o $(BUILD)/src/appmod.o $(BUILD)/src/beside.o

# The app's SDL half is a module, loaded by src/appmod.c only for the
# commands that draw: the executable links no SDL or cairo, so `run`,
# `check` and `export` start without loading ~75 libraries. The module's
# other symbols resolve against the executable (-rdynamic, whole core).
# (Position-independent, so under build/pic/: an object built before
# without -fPIC is never linked into the module.)
UI_SDL_SRC   := src/ui/app.c src/ui/input_sdl.c src/ui/render_sdl.c
UI_SDL_OBJ   := $(UI_SDL_SRC:%.c=$(BUILD)/pic/%.o)
UI_PURE_OBJ  := $(filter-out $(UI_SDL_SRC:%.c=$(BUILD)/%.o),$(UI_OBJ))
APPMOD       := $(BUILD)/loopscope-app.so

LIBCORE := $(BUILD)/libcore.a
BIN     := $(BUILD)/loopscope

.PHONY: all run test test-suites deps-test unit check-layering conformance bad cli uitest asan clean deps bench \
        runaway oom fuzz fuzz-regress abuse valgrind exports lecture diff

# verify's copy of the harness, found beside the program (main.c find_harness)
HARNESS_COPY := $(BUILD)/share/vt_asyncio.py

all: $(BIN) $(HARNESS_COPY)

$(HARNESS_COPY): tests/conformance/vt_asyncio.py
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/src/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Isrc/core -c $< -o $@

$(BUILD)/src/scenario/%.o: src/scenario/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/scenario -c $< -o $@

$(BUILD)/src/export/%.o: src/export/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/export -c $< -o $@

$(BUILD)/src/ui/%.o: src/ui/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/scenario -Isrc/export -Isrc/ui $(SDL_CFLAGS) -c $< -o $@

$(BUILD)/pic/src/ui/%.o: src/ui/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -Isrc/core -Isrc/scenario -Isrc/export -Isrc/ui $(SDL_CFLAGS) -c $< -o $@

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/scenario -Isrc/export -Isrc/ui $(SDL_CFLAGS) -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(UI_PURE_OBJ) $(EXPORT_OBJ) $(SCENARIO_OBJ) $(LIBCORE) $(APPMOD)
	$(CC) $(OPT) -rdynamic -o $@ $(MAIN_OBJ) $(UI_PURE_OBJ) $(EXPORT_OBJ) $(SCENARIO_OBJ) \
	    -Wl,--whole-archive $(LIBCORE) -Wl,--no-whole-archive $(LDFLAGS_BASE) $(CJSON_LIBS) -ldl -lm

$(APPMOD): $(UI_SDL_OBJ)
	$(CC) $(OPT) -shared -o $@ $(UI_SDL_OBJ) $(LDFLAGS_BASE) $(SDL_LIBS) -lm

# ---- running ---------------------------------------------------------------

deps:
	@./tools/ensure-deps

deps-test:
	@./tools/ensure-deps --test

run: deps
	$(MAKE) --no-print-directory $(BIN)
	./tools/run-app

# ---- tests -----------------------------------------------------------------

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(BUILD)/test_unit

$(UNIT_BIN): $(UNIT_SRC) $(SCENARIO_OBJ) $(EXPORT_OBJ) $(LIBCORE)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/scenario -Isrc/export -o $@ $(UNIT_SRC) \
	    $(EXPORT_OBJ) $(SCENARIO_OBJ) $(LIBCORE) $(LDFLAGS_BASE) $(CJSON_LIBS) -lm

unit: $(UNIT_BIN)
	$(UNIT_BIN)

check-layering: $(LIBCORE)
	@./tests/check-layering.sh $(LIBCORE)

bad: $(BIN)
	@./tests/bad/run.sh $(BIN)

conformance: $(BIN)
	@python3 tests/conformance/test_harness.py
	@python3 tests/conformance/run.py $(BIN)
	@python3 tests/conformance/logs.py $(BIN)

cli: $(BIN) $(HARNESS_COPY)
	@./tests/cli/run.sh $(BIN)

# random programs (tests/diff/gen.py, fixed seeds), each compared with CPython
# by `loopscope verify`; the ones that differ are saved under build/diff/
DIFF_SEEDS ?= 0:300
diff: $(BIN) $(HARNESS_COPY)
	@python3 tests/diff/run.py --bin $(BIN) --seeds $(DIFF_SEEDS)
	@python3 tests/diff/run.py --bin $(BIN) --known tests/diff/found/*.json
	@python3 tests/conformance/logs.py $(BIN) --seeds 0:200

uitest: $(BIN)
	@./tests/ui/run.sh $(BIN)

# The timeline exports (issue 4): --chrome-trace checked by speedscope's own
# importer under node, --svg by xmllint and headless Chromium, --png.
exports: $(BIN)
	@./tests/export/run.sh $(BIN)

# Lectures (issue 4): the shipped lectures check clean, stops fall where they
# say, handouts (PNG, PDF), and a lecture given under Xvfb with PageDown only.
lecture: $(BIN)
	@./tests/lecture/run.sh $(BIN)

# Hardening (issue 5): runaway limits, failing allocations, the fuzzer's
# regressions and a short fuzz run, the app under abuse, valgrind.
runaway: $(BIN)
	@./tests/runaway/run.sh $(BIN)

oom:
	@./tests/oom/run.sh

fuzz-regress:
	@./tests/fuzz/run.sh regress

FUZZ_SECONDS ?= 60
fuzz:
	@./tests/fuzz/run.sh $(FUZZ_SECONDS)

abuse: $(BIN)
	@./tests/abuse/run.sh $(BIN)

valgrind: $(BIN)
	@./tests/valgrind/run.sh $(BIN)

# `make test` first installs what is missing (as `make run` does; a no-op
# when everything is there), then runs every suite in a fresh make so the
# pkg-config flags are read after the install.
test: deps-test
	@$(MAKE) --no-print-directory test-suites

test-suites: all unit check-layering bad cli conformance diff uitest exports lecture runaway oom fuzz-regress \
             abuse valgrind asan fuzz
	@echo "make test: all suites passed"

# Benchmarks (issue 6): bench/bench.py prints a table and writes bench/results.md.
BENCH_BINS := $(BUILD)/draw_bench $(BUILD)/seek_bench $(BUILD)/rss_run

$(BUILD)/rss_run: bench/rss_run.c
	$(CC) $(CFLAGS_BASE) -o $@ bench/rss_run.c

$(BUILD)/draw_bench: bench/draw_bench.c $(MAIN_OBJ) $(UI_OBJ) $(EXPORT_OBJ) $(SCENARIO_OBJ) $(LIBCORE)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/ui -Isrc/scenario -Isrc/export -o $@ bench/draw_bench.c \
	    $(UI_OBJ) $(EXPORT_OBJ) $(SCENARIO_OBJ) $(LIBCORE) $(LDFLAGS_BASE) $(CJSON_LIBS) $(SDL_LIBS) -lm

$(BUILD)/seek_bench: bench/seek_bench.c $(SCENARIO_OBJ) $(LIBCORE)
	$(CC) $(CFLAGS_BASE) -Isrc/core -Isrc/scenario -o $@ bench/seek_bench.c $(SCENARIO_OBJ) $(LIBCORE) \
	    $(LDFLAGS_BASE) $(CJSON_LIBS) -lm

bench: $(BIN) $(BENCH_BINS)
	@python3 bench/bench.py $(BIN) $(BENCH_ARGS)

# The suites again under AddressSanitizer + UBSan (any UB report aborts): the C
# suites with leak detection, then the app's own suites (UI with a real window,
# exports, lectures) without it, because SDL, X and fontconfig keep memory
# until exit (valgrind checks the app's leaks: make valgrind).
ASAN_OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
asan:
	$(MAKE) BUILD=build-asan OPT="$(ASAN_OPT)" EXTRA_LDFLAGS="-fsanitize=address,undefined" \
	    unit bad cli conformance
	@ASAN_OPTIONS=detect_leaks=0 EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" ./tests/ui/run.sh build-asan/loopscope
	@ASAN_OPTIONS=detect_leaks=0 ./tests/export/run.sh build-asan/loopscope
	@ASAN_OPTIONS=detect_leaks=0 ./tests/lecture/run.sh build-asan/loopscope

clean:
	rm -rf build build-asan build-fuzz build-oom

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
