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
PKGS    += portaudio-2.0 jack alsa # srnn play: audio devices, JACK MIDI, quiet ALSA
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(WARN) $(DEFS) $(CFLAGS) -Iengine -Ickpt $(PKG_CFLAGS)
LDLIBS  := $(PKG_LIBS) -lz -lm -lpthread
PYTHON  ?= /usr/bin/python3

ENGINE_SRC := $(sort $(wildcard engine/*.c))
UI_SRC     := $(sort $(wildcard ui/*.c))
CKPT_SRC   := $(sort $(wildcard ckpt/*.c))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))

# The trainer (train/): its own library with the audio reader, linked with OpenBLAS and cJSON
# into the tool, its tests (tests/test_train*.c) and their helpers (tests/train_*.c).
TRAIN_SRC    := $(sort $(wildcard train/*.c))
TRAIN_PKGS   := openblas libcjson
TRAIN_CFLAGS := -Itrain -Iui $(shell pkg-config --cflags $(TRAIN_PKGS) 2>/dev/null)
TRAIN_LIBS   := $(shell pkg-config --libs $(TRAIN_PKGS) 2>/dev/null)
TRAIN_OBJ    := $(TRAIN_SRC:%.c=$(BUILD)/%.o) $(BUILD)/ui/audio_file.o
TRAIN_LIB    := $(BUILD)/libsrnn_train.a
TRAIN_HELPERS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/train_*.c))

ENGINE_OBJ     := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
ENGINE_PIC_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/pic/%.o)
UI_OBJ         := $(UI_SRC:%.c=$(BUILD)/%.o)
# srnn bench's measurements and baselines (bench/speed_*.c) are part of the tool.
SPEED_OBJ      := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard bench/speed_*.c)))
UI_OBJ         += $(SPEED_OBJ)
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
	$(CC) $(ALL_CFLAGS) $(ARCH_FLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c $(wildcard engine/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ARCH_FLAGS) -fPIC -c $< -o $@

# The engine's kernels are compiled once per instruction set (engine/kernels_arch.h): only
# these files get the wider instructions, and the CPU is asked at run time which level to use.
# Products are never fused, so every level computes the same bits.
$(ENGINE_OBJ) $(ENGINE_PIC_OBJ): ARCH_FLAGS := -ffp-contract=off
ifneq ($(filter x86_64%,$(shell $(CC) -dumpmachine)),)
$(BUILD)/engine/kernels_avx2.o $(BUILD)/pic/engine/kernels_avx2.o: ARCH_FLAGS += -mavx2 -mf16c
$(BUILD)/engine/kernels_avx512.o $(BUILD)/pic/engine/kernels_avx512.o: ARCH_FLAGS += -mavx512f -mavx512bw
$(BUILD)/engine/kernels_avx512vnni.o $(BUILD)/pic/engine/kernels_avx512vnni.o: ARCH_FLAGS += -mavx512f -mavx512bw -mavx512vnni
endif

# Archives are written anew, so a source file moved or removed leaves no stale member behind.
$(LIB): $(ENGINE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_PIC): $(ENGINE_PIC_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(CKPT_LIB): $(CKPT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SRNN): $(UI_OBJ) $(TRAIN_LIB) $(CKPT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(TRAIN_LIBS) $(LDLIBS) -o $@

$(TRAIN_OBJ) $(BUILD)/ui/cmd_train.o: ALL_CFLAGS += $(TRAIN_CFLAGS)
$(SPEED_OBJ) $(BUILD)/ui/cmd_bench.o: ALL_CFLAGS += -Ibench $(shell pkg-config --cflags openblas 2>/dev/null)

# Training samples/s of the C trainer against the PyTorch reference (bench/bench_train.sh).
.PHONY: bench-train
bench-train: $(BUILD)/bench/bench_train
	@BUILD=$(BUILD) PYTHON=$(PYTHON) bash bench/bench_train.sh

$(BUILD)/bench/bench_train: bench/bench_train.c $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(wildcard engine/*.h train/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TRAIN_CFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

# The engine's speed against the machine's peak, PyTorch and OpenBLAS (srnn help bench).
.PHONY: bench
bench: $(SRNN)
	$(SRNN) bench
$(TRAIN_OBJ): $(wildcard train/*.h)

$(TRAIN_LIB): $(TRAIN_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/test_train% $(BUILD)/tests/train_%: ALL_CFLAGS += $(TRAIN_CFLAGS)
$(BUILD)/tests/test_train%: tests/test_train%.c $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(wildcard engine/*.h train/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/train_%: tests/train_%.c $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(wildcard engine/*.h train/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(CKPT_LIB) $(LIB) $(wildcard engine/*.h tests/*.h ckpt/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(TEST_LDFLAGS) $< $(CKPT_LIB) $(LIB) $(LDLIBS) -o $@

# The player's tests (tests/test_play*.c) link its audio side too (callback, slots, ring,
# recorder); the real-time one counts forbidden calls with the plugin's interposer.
PLAYER_OBJ := $(addprefix $(BUILD)/ui/,player.o player_slot.o player_ring.o player_recorder.o \
                                       audio_file.o)
$(BUILD)/tests/test_play%: tests/test_play%.c $(PLAYER_OBJ) $(LIB) \
                           $(wildcard engine/*.h ui/*.h tests/*.h tests/lv2/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iui -Itests/lv2 $(LDFLAGS) $(filter %.c,$^) $(PLAYER_OBJ) $(LIB) \
	    $(LDLIBS) -ldl -o $@
$(BUILD)/tests/test_play_realtime: tests/lv2/interposer.c

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
	    -artifact_prefix=$(BUILD)/fuzz/ -print_final_stats=1 \
	    $(BUILD)/fuzz/corpus tests/fuzz/seeds

# ---- LV2 plugin (plugin/, ttl/, presets/) --------------------------------------------------
#   make plugin     the bundle $(BUILD)/lv2/srnn.lv2: library, ttl, presets, default model
#   make install    copies it to $(DESTDIR)$(LV2DIR)/srnn.lv2; LV2DIR is ~/.lv2 for a user and
#                   $(PREFIX)/lib/lv2 for root; make uninstall removes it
PREFIX     ?= /usr/local
LV2DIR     ?= $(if $(filter 0,$(shell id -u)),$(PREFIX)/lib/lv2,$(HOME)/.lv2)
LV2_BUNDLE := $(BUILD)/lv2/srnn.lv2
LV2_MODULE := srnn_lv2.so
LV2_FILES  := $(addprefix $(LV2_BUNDLE)/,$(LV2_MODULE) manifest.ttl srnn.ttl presets.ttl \
                                         default.srnn)
PLUGIN_OBJ  := $(patsubst %.c,$(BUILD)/pic/%.o,$(sort $(wildcard plugin/*.c)))
PLUGIN_LIBS := $(shell pkg-config --libs samplerate zlib 2>/dev/null) -lm
LILV_CFLAGS := $(shell pkg-config --cflags lilv-0 2>/dev/null)
LILV_LIBS   := $(shell pkg-config --libs lilv-0 2>/dev/null)

.PHONY: plugin install uninstall
plugin: $(LV2_FILES)

$(PLUGIN_OBJ): ALL_CFLAGS += -fvisibility=hidden $(shell pkg-config --cflags lv2 2>/dev/null)
$(PLUGIN_OBJ): $(wildcard plugin/*.h)

# The engine goes inside the library, its symbols hidden: only lv2_descriptor is exported.
$(LV2_BUNDLE)/$(LV2_MODULE): $(PLUGIN_OBJ) $(LIB_PIC)
	@mkdir -p $(dir $@)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,--exclude-libs,ALL -Wl,--as-needed $^ \
	    $(PLUGIN_LIBS) -o $@

$(LV2_BUNDLE)/manifest.ttl: ttl/manifest.ttl.in
	@mkdir -p $(dir $@)
	sed 's/@MODULE@/$(LV2_MODULE)/g' $< > $@

$(LV2_BUNDLE)/srnn.ttl: ttl/srnn.ttl
$(LV2_BUNDLE)/presets.ttl: presets/presets.ttl
$(LV2_BUNDLE)/default.srnn: models/default.srnn
$(LV2_BUNDLE)/srnn.ttl $(LV2_BUNDLE)/presets.ttl $(LV2_BUNDLE)/default.srnn:
	@mkdir -p $(dir $@)
	cp $< $@

install: plugin
	install -d $(DESTDIR)$(LV2DIR)/srnn.lv2
	install -m 644 $(filter-out %.so,$(LV2_FILES)) $(DESTDIR)$(LV2DIR)/srnn.lv2/
	install -m 755 $(LV2_BUNDLE)/$(LV2_MODULE) $(DESTDIR)$(LV2DIR)/srnn.lv2/

uninstall:
	rm -rf $(DESTDIR)$(LV2DIR)/srnn.lv2

# The plugin's tests are lilv hosts (tests/lv2/host.c); the real-time one links an interposer
# of what run() must never call (tests/lv2/interposer.c).
$(BUILD)/tests/test_lv2_%: tests/test_lv2_%.c tests/lv2/host.c $(LIB) $(LV2_FILES) \
                           $(wildcard engine/*.h plugin/*.h tests/lv2/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iplugin -Itests/lv2 $(LILV_CFLAGS) $(LDFLAGS) $(filter %.c,$^) $(LIB) \
	    $(LILV_LIBS) $(PLUGIN_LIBS) -ldl -lpthread -o $@
$(BUILD)/tests/test_lv2_sound: tests/lv2/take.c tests/lv2/sinc_resample.c
$(BUILD)/tests/test_lv2_models: tests/lv2/take.c tests/lv2/random_model.c
$(BUILD)/tests/test_lv2_realtime: tests/lv2/interposer.c tests/lv2/random_model.c

# libFuzzer target for the TensorFlow checkpoint reader (ckpt/): FUZZ_SECONDS=600 make fuzz-ckpt-run
.PHONY: fuzz-ckpt fuzz-ckpt-run
fuzz-ckpt: $(BUILD)/fuzz/fuzz_ckpt
$(BUILD)/fuzz/fuzz_ckpt: tests/fuzz/fuzz_ckpt.c $(CKPT_SRC) $(LIB) $(wildcard engine/*.h ckpt/*.h)
	@mkdir -p $(dir $@)
	clang $(WARN) $(DEFS) -Iengine -Ickpt $(shell pkg-config --cflags libcjson snappy) \
	    $(FUZZ_FLAGS) $< $(CKPT_SRC) $(LIB) -lcjson -lsnappy -lz -lm -lpthread -o $@

fuzz-ckpt-run: fuzz-ckpt
	@mkdir -p $(BUILD)/fuzz/ckpt_corpus
	$(BUILD)/fuzz/fuzz_ckpt -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    $(BUILD)/fuzz/ckpt_corpus tests/fuzz/ckpt_seeds

# The player's 10-minute soak alone (also part of `make test`: tests/once_soak_play.sh).
.PHONY: soak
soak: all
	$(PYTHON) tests/reference/make_golden.py $(BUILD)/golden
	SRNN=$(BUILD)/srnn GOLDEN=$(BUILD)/golden bash tests/once_soak_play.sh

clean:
	rm -rf build build-asan
