# srnn: real-time SampleRNN instrument.
#   make            library and the srnn tool (build/)
#   make test       all tests, plain build then ASan/UBSan build; ends with "N passed, N failed"
#   make test-plain only the plain build's tests
#   make asan       the ASan/UBSan build (build-asan/)
#   make fuzz       libFuzzer target for the model loader (clang); FUZZ_SECONDS=600 make fuzz-run

CC      ?= cc
BUILD   ?= build
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla
DEFS    := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
PKGS    := sndfile samplerate zlib libcjson snappy
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(WARN) $(DEFS) $(CFLAGS) -Iengine -Ickpt $(PKG_CFLAGS)
LDLIBS  := $(PKG_LIBS) -lz -lm -lpthread
PYTHON  ?= /usr/bin/python3

ENGINE_SRC := $(sort $(wildcard engine/*.c))
UI_SRC     := $(sort $(wildcard ui/*.c))
CKPT_SRC   := $(sort $(wildcard ckpt/*.c))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))

TRAIN_SRC    := $(sort $(wildcard train/*.c))
TRAIN_PKGS   := openblas libcjson
TRAIN_CFLAGS := -Itrain $(shell pkg-config --cflags $(TRAIN_PKGS) 2>/dev/null)
TRAIN_LIBS   := $(shell pkg-config --libs $(TRAIN_PKGS) 2>/dev/null)
TRAIN_OBJ    := $(TRAIN_SRC:%.c=$(BUILD)/%.o) $(BUILD)/ui/audio_file.o
TRAIN_LIB    := $(BUILD)/libsrnn_train.a
TRAIN_HELPERS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/train_*.c))

ENGINE_OBJ     := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
ENGINE_PIC_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/pic/%.o)
UI_OBJ         := $(UI_SRC:%.c=$(BUILD)/%.o)
CKPT_OBJ       := $(CKPT_SRC:%.c=$(BUILD)/%.o)
TEST_BIN       := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

LIB     := $(BUILD)/libsrnn.a
LIB_PIC := $(BUILD)/libsrnn_pic.a
CKPT_LIB := $(BUILD)/libsrnn_ckpt.a # TensorFlow checkpoints (ckpt/)
SRNN    := $(BUILD)/srnn

.PHONY: all test test-plain asan test-asan fuzz fuzz-run clean
all: $(LIB) $(LIB_PIC) $(SRNN) $(TEST_BIN) $(TRAIN_HELPERS)

$(BUILD)/%.o: %.c $(wildcard engine/*.h ui/*.h tests/*.h ckpt/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c $(wildcard engine/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(LIB): $(ENGINE_OBJ)
	$(AR) rcs $@ $^

$(LIB_PIC): $(ENGINE_PIC_OBJ)
	$(AR) rcs $@ $^

$(CKPT_LIB): $(CKPT_OBJ)
	$(AR) rcs $@ $^

$(SRNN): $(UI_OBJ) $(CKPT_LIB) $(TRAIN_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(TRAIN_LIBS) $(LDLIBS) -o $@

$(TRAIN_OBJ) $(BUILD)/ui/cmd_train.o: ALL_CFLAGS += $(TRAIN_CFLAGS)
$(TRAIN_OBJ): $(wildcard train/*.h)

$(TRAIN_LIB): $(TRAIN_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/tests/test_train% $(BUILD)/tests/train_%: ALL_CFLAGS += $(TRAIN_CFLAGS)
$(BUILD)/tests/test_train%: tests/test_train%.c $(TRAIN_LIB) $(LIB) $(wildcard engine/*.h train/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/train_%: tests/train_%.c $(TRAIN_LIB) $(LIB) $(wildcard engine/*.h train/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(CKPT_LIB) $(LIB) $(wildcard engine/*.h tests/*.h ckpt/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(TEST_LDFLAGS) $< $(CKPT_LIB) $(LIB) $(LDLIBS) -o $@

# The real-time test interposes what the audio path must never call (tests/test_realtime.c).
RT_WRAP := malloc calloc realloc aligned_alloc posix_memalign free mmap munmap read write close \
           pthread_mutex_lock usleep vsnprintf
$(BUILD)/tests/test_realtime: TEST_LDFLAGS = $(foreach f,$(RT_WRAP),-Wl,--wrap=$(f))

test-plain: all
	@PYTHON=$(PYTHON) bash tests/run.sh $(BUILD)

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" all

test-asan: asan
	@PYTHON=$(PYTHON) bash tests/run.sh build-asan

# Both builds in one run, one summary line at the end.
test: all asan
	@PYTHON=$(PYTHON) bash tests/run.sh $(BUILD) build-asan

FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -g -O1
fuzz: $(BUILD)/fuzz/fuzz_model_load
$(BUILD)/fuzz/fuzz_model_load: tests/fuzz/fuzz_model_load.c $(ENGINE_SRC) $(wildcard engine/*.h)
	@mkdir -p $(dir $@)
	clang $(WARN) $(DEFS) -Iengine $(FUZZ_FLAGS) $< $(ENGINE_SRC) -lz -lm -o $@

fuzz-run: fuzz
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_model_load -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    $(BUILD)/fuzz/corpus tests/fuzz/seeds

clean:
	rm -rf build build-asan
