# srnn: real-time SampleRNN instrument.
#   make            the library (static and shared), the srnn tool and the LV2 bundle (build/);
#                   nothing that needs the tests' packages
#   make install    all of it under $(DESTDIR)$(PREFIX) (see Installation); make uninstall
#   make tests      the test programs too (they need lilv)
#   make test       all tests, plain build then ASan/UBSan build; ends with "N passed, N failed"
#                   (make check is the same)
#   make test-plain only the plain build's tests
#   make asan       the ASan/UBSan build of the tests (build-asan/)
#   make fuzz       libFuzzer target for the model loader (clang); FUZZ_SECONDS=600 make fuzz-run

CC      ?= cc
BUILD   ?= build
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla -Wpointer-arith
DEFS    := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# Every compile lists the headers it read in a .d file beside its output, included at the end
# (-MP: a header deleted since is no error).
DEPFLAGS := -MMD -MP
PYTHON  ?= /usr/bin/python3

# Installation directories (make install), the usual names for packagers. The default model's
# path, $(DATADIR)/srnn/default.srnn, is compiled into the tool (srnn play with no model).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
LV2DIR     ?= $(LIBDIR)/lv2

# pkg-config packages and the Debian packages that provide them (deps.sh installs them all).
deb.sndfile       := libsndfile1-dev
deb.samplerate    := libsamplerate0-dev
deb.zlib          := zlib1g-dev
deb.libcjson      := libcjson-dev
deb.snappy        := libsnappy-dev
deb.portaudio-2.0 := portaudio19-dev
deb.jack          := libjack-jackd2-dev
deb.alsa          := libasound2-dev
deb.openblas      := libopenblas-dev
deb.lv2           := lv2-dev
deb.lilv-0        := liblilv-dev
deb.cairo         := libcairo2-dev
deb.x11           := libx11-dev
deb.xtst          := libxtst-dev
deb.fontconfig    := libfontconfig-dev

# $(call pkgconfig,--cflags|--libs,PACKAGES): pkg-config's answer. A missing package stops
# make with one line naming the Debian package to install.
pkgconfig = $(call pkg_require,$(call pkg_missing,$(2)))$(shell pkg-config $(1) $(2))
pkg_missing = $(strip $(foreach p,$(1),$(if $(shell pkg-config --exists $(p) && echo yes),,$(p))))
pkg_require = $(if $(1),$(error missing pkg-config package$(if $(word 2,$(1)),s) \
    $(foreach p,$(1),'$(p)'): apt-get install $(foreach p,$(1),$(or $(deb.$(p)),$(p)))))

# The packages' flags are asked for when a rule first uses them, and then kept, so that a
# target checks only the packages it needs (make clean none; plain make no lilv, which only
# the tests' hosts use). Each is "VAR = $(eval VAR := value)$(VAR)", which computes it once.
PKGS    := sndfile samplerate zlib libcjson snappy
PKGS    += portaudio-2.0 jack alsa # srnn play: audio devices, JACK MIDI, quiet ALSA
PKG_CFLAGS = $(eval PKG_CFLAGS := $(call pkgconfig,--cflags,$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(call pkgconfig,--libs,$(PKGS)))$(PKG_LIBS)
ALL_CFLAGS  = $(WARN) $(DEFS) $(CFLAGS) -Iengine -Ickpt -Ilive $(PKG_CFLAGS)
LDLIBS   = $(PKG_LIBS) -lz -lm -lpthread

ENGINE_SRC := $(sort $(wildcard engine/*.c))
# The tool's sources: its command line (ui/cli), the terminal player (ui/player) and what both
# use (ui/common). The plugin's GUI (ui/lv2gui) goes into the LV2 bundle instead.
UI_SRC     := $(sort $(wildcard ui/cli/*.c ui/player/*.c ui/common/*.c))
UI_INCLUDES := -Iui/cli -Iui/player -Iui/common
# The instruments' shared real-time part (live/: a model's voices at the host's rate, its
# primer, the crossfade, the output's limiter): compiled into the tool, and as -fPIC objects
# into the plugin.
LIVE_SRC   := $(sort $(wildcard live/*.c))
CKPT_SRC   := $(sort $(wildcard ckpt/*.c))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))

# The trainer (train/): its own library with the audio reader and the progress bar, linked with
# OpenBLAS and cJSON into the tool, its tests (tests/test_train*.c) and their helpers
# (tests/train_*.c).
TRAIN_SRC    := $(sort $(wildcard train/*.c))
TRAIN_PKGS   := openblas libcjson
# MPI, for `mpirun -np N srnn train` (train/distributed.c): MPI=auto (the default) uses it when
# pkg-config finds $(MPI_PKG), MPI=1 requires it (one line naming the Debian package when it is
# missing), MPI=0 leaves it out. Without it srnn train is one process, as under mpirun -np 1.
MPI      ?= auto
MPI_PKG  ?= ompi-c
deb.ompi-c := libopenmpi-dev
deb.mpi    := libopenmpi-dev
ifeq ($(MPI),auto)
override MPI := $(if $(shell pkg-config --exists $(MPI_PKG) && echo yes),1,0)
endif
ifeq ($(MPI),1)
TRAIN_PKGS   += $(MPI_PKG)
TRAIN_DEFS   := -DSRNN_MPI
endif
TRAIN_CFLAGS  = $(eval TRAIN_CFLAGS := -Itrain -Iui/common $(TRAIN_DEFS) $(call pkgconfig,--cflags,$(TRAIN_PKGS)))$(TRAIN_CFLAGS)
TRAIN_LIBS    = $(eval TRAIN_LIBS := $(call pkgconfig,--libs,$(TRAIN_PKGS)))$(TRAIN_LIBS)
TRAIN_OBJ    := $(TRAIN_SRC:%.c=$(BUILD)/%.o) $(BUILD)/ui/common/audio_file.o \
                $(BUILD)/ui/common/progress.o
TRAIN_LIB    := $(BUILD)/libsrnn_train.a
TRAIN_HELPERS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/train_*.c))

ENGINE_OBJ     := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
ENGINE_PIC_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/pic/%.o)
UI_OBJ         := $(UI_SRC:%.c=$(BUILD)/%.o)
LIVE_OBJ       := $(LIVE_SRC:%.c=$(BUILD)/%.o)
UI_OBJ         += $(LIVE_OBJ)
# srnn bench's measurements and baselines (bench/speed_*.c) are part of the tool.
SPEED_OBJ      := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard bench/speed_*.c)))
UI_OBJ         += $(SPEED_OBJ)
CKPT_OBJ       := $(CKPT_SRC:%.c=$(BUILD)/%.o)
TEST_BIN       := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# The version (the tool's, in ui/cli/srnn.c) names the shared library: libsrnn.so.0.1.0, whose
# soname libsrnn.so.0 changes with the major version.
VERSION := $(shell sed -n 's/^.define SRNN_TOOL_VERSION "\(.*\)"$$/\1/p' ui/cli/srnn.c)
SONAME  := libsrnn.so.$(firstword $(subst ., ,$(VERSION)))

LIB     := $(BUILD)/libsrnn.a
LIB_PIC := $(BUILD)/libsrnn_pic.a
SHLIB   := $(BUILD)/libsrnn.so.$(VERSION)
CKPT_LIB := $(BUILD)/libsrnn_ckpt.a # TensorFlow checkpoints (ckpt/)
SRNN    := $(BUILD)/srnn

# The LV2 bundle (plugin/, ttl/, presets/, and the GUI ui/lv2gui/; the rules are in the LV2
# section below). The lilv hosts of its tests (tests/lv2/host.c) need lilv; the plugin does not.
LV2_BUNDLE := $(BUILD)/lv2/srnn.lv2
LV2_MODULE := srnn_lv2.so
GUI_MODULE := srnn_lv2_ui.so
LV2_FILES  := $(addprefix $(LV2_BUNDLE)/,$(LV2_MODULE) $(GUI_MODULE) manifest.ttl srnn.ttl \
                                         instrument.ttl continuation.ttl srnn_ui.ttl presets.ttl \
                                         default.srnn)
PLUGIN_OBJ  := $(patsubst %.c,$(BUILD)/pic/%.o,$(sort $(wildcard plugin/*.c)) $(LIVE_SRC))
PLUGIN_LIBS  = $(eval PLUGIN_LIBS := $(call pkgconfig,--libs,samplerate zlib) -lm)$(PLUGIN_LIBS)
GUI_CHECK   := $(BUILD)/tests/lv2_gui_check # its test host (tests/test_lv2_gui.sh)
GUI_OBJ     := $(patsubst %.c,$(BUILD)/pic/%.o,$(sort $(wildcard ui/lv2gui/*.c)))
GUI_PKGS    := cairo x11 lv2
GUI_CFLAGS   = $(eval GUI_CFLAGS := $(call pkgconfig,--cflags,$(GUI_PKGS)))$(GUI_CFLAGS)
GUI_LIBS     = $(eval GUI_LIBS := $(call pkgconfig,--libs,cairo x11) -lm)$(GUI_LIBS)
LILV_CFLAGS  = $(eval LILV_CFLAGS := $(call pkgconfig,--cflags,lilv-0))$(LILV_CFLAGS)
LILV_LIBS    = $(eval LILV_LIBS := $(call pkgconfig,--libs,lilv-0))$(LILV_LIBS)

.PHONY: all tests test check test-plain asan test-asan fuzz fuzz-run clean FORCE
# What make install installs; the test programs are `make tests` (below).
all: $(LIB) $(LIB_PIC) $(SHLIB) $(SRNN) plugin

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ARCH_FLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ARCH_FLAGS) $(DEPFLAGS) -fPIC -c $< -o $@

# Programs compiled and linked from several sources in one command: gcc -MMD would keep only
# the last source's headers in $@.d, so this lists every source's first. $(call depend,FLAGS)
# with the flags of the compile. The sources themselves are left out of $@.d: the rules name
# them, and a source renamed since must not stay a prerequisite.
depend = @$(CC) $(1) -MM -MP -MT $@ $(filter %.c,$^) | sed 's/ [^ ]*\.c\b//g' >$@.d

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

# The shared library is the engine alone, with the libraries it calls, and exports only what
# srnn.h declares (the version script below), so that its internals are no part of its ABI.
ENGINE_LIBS := -lz -lm -lpthread
$(SHLIB): $(ENGINE_PIC_OBJ) $(BUILD)/libsrnn.map
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script,$(BUILD)/libsrnn.map \
	    -Wl,--no-undefined -Wl,--as-needed $(ENGINE_PIC_OBJ) $(ENGINE_LIBS) -o $@

# The functions srnn.h declares: its lines that start a declaration (not indented, not a
# comment) name them before their "(".
$(BUILD)/libsrnn.map: engine/srnn.h
	@mkdir -p $(dir $@)
	{ echo '{ global:'; grep -E '^[a-z].*srnn_[a-z0-9_]+\(' $< | grep -oE 'srnn_[a-z0-9_]+\(' | \
	    sed 's/($$/;/'; echo 'local: *; };'; } >$@

$(SRNN): $(UI_OBJ) $(TRAIN_LIB) $(CKPT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(TRAIN_LIBS) $(LDLIBS) -o $@

# srnn play with no model plays $(DATADIR)/srnn/default.srnn, a path compiled into the tool.
# $(BUILD)/datadir holds the DATADIR it was compiled with and changes only with it, so that
# `make install PREFIX=/usr` after a plain `make` recompiles the one object that uses it.
$(BUILD)/ui/cli/cmd_play.o: ALL_CFLAGS += -DSRNN_DATADIR='"$(DATADIR)"'
$(BUILD)/ui/cli/cmd_play.o: $(BUILD)/datadir
$(BUILD)/datadir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
# Likewise $(BUILD)/mpi, whether the trainer was compiled with MPI: changing MPI recompiles it.
$(BUILD)/train/distributed.o: $(BUILD)/mpi
$(BUILD)/mpi: FORCE
	@mkdir -p $(dir $@)
	@echo '$(MPI)' | cmp -s - $@ || echo '$(MPI)' >$@
FORCE:

$(UI_OBJ): ALL_CFLAGS += $(UI_INCLUDES)
$(TRAIN_OBJ) $(BUILD)/ui/cli/cmd_train.o: ALL_CFLAGS += $(TRAIN_CFLAGS)
$(SPEED_OBJ) $(BUILD)/ui/cli/cmd_bench.o: ALL_CFLAGS += -Ibench $(call pkgconfig,--cflags,openblas)

# Training samples/s of the C trainer against the PyTorch reference (bench/bench_train.sh).
.PHONY: bench-train
bench-train: $(BUILD)/bench/bench_train
	@BUILD=$(BUILD) PYTHON=$(PYTHON) bash bench/bench_train.sh

$(BUILD)/bench/bench_train: bench/bench_train.c $(TRAIN_LIB) $(CKPT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TRAIN_CFLAGS) $(DEPFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

# srnn train over MPI: 1 and 2 processes, the gradient sums' share and one allreduce's time
# (bench/bench_mpi.sh); needs MPI (MPI=1 when pkg-config finds it: the default).
.PHONY: bench-mpi
bench-mpi: $(SRNN) $(BUILD)/bench/bench_allreduce
	@BUILD=$(BUILD) PYTHON=$(PYTHON) bash bench/bench_mpi.sh

$(BUILD)/bench/bench_allreduce: bench/bench_allreduce.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call pkgconfig,--cflags,$(MPI_PKG)) $(DEPFLAGS) $(LDFLAGS) $< \
	    $(call pkgconfig,--libs,$(MPI_PKG)) -o $@

# The engine's speed against the machine's peak, PyTorch and OpenBLAS (srnn help bench).
.PHONY: bench
bench: $(SRNN)
	$(SRNN) bench

$(TRAIN_LIB): $(TRAIN_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/test_train% $(BUILD)/tests/train_%: ALL_CFLAGS += $(TRAIN_CFLAGS)
$(BUILD)/tests/test_train%: tests/test_train%.c $(TRAIN_LIB) $(CKPT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/train_%: tests/train_%.c $(TRAIN_LIB) $(CKPT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LDFLAGS) $< $(TRAIN_LIB) $(CKPT_LIB) $(LIB) $(TRAIN_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(CKPT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(call depend,$(ALL_CFLAGS))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(filter %.c,$^) $(CKPT_LIB) $(LIB) $(LDLIBS) -o $@

# The player's tests (tests/test_play*.c) link its audio side too (callback, slots, ring,
# recorder); the real-time one counts forbidden calls with the interposer (tests/interposer.c).
PLAYER_OBJ := $(addprefix $(BUILD)/ui/,player/player.o player/player_slot.o player/player_ring.o \
                                       player/player_recorder.o common/audio_file.o) $(LIVE_OBJ)
$(BUILD)/tests/test_play%: tests/test_play%.c $(PLAYER_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(call depend,$(ALL_CFLAGS) $(UI_INCLUDES))
	$(CC) $(ALL_CFLAGS) $(UI_INCLUDES) $(LDFLAGS) $(filter %.c,$^) $(PLAYER_OBJ) $(LIB) \
	    $(LDLIBS) -ldl -o $@
$(BUILD)/tests/test_play_realtime: tests/interposer.c

# The real-time budget (tests/once_budget_realtime.sh): the player's callback and the plugin's
# run() in the lilv host, timed in thread CPU time; bench/speed_model.c writes the M model.
BUDGET := $(BUILD)/tests/budget_realtime
$(BUDGET): tests/budget_realtime.c tests/interposer.c tests/lv2/host.c $(BUILD)/bench/speed_model.o \
           $(PLAYER_OBJ) $(LIB) $(LV2_FILES)
	@mkdir -p $(dir $@)
	$(call depend,$(ALL_CFLAGS) $(UI_INCLUDES) -Itests -Itests/lv2 -Iplugin -Ibench $(LILV_CFLAGS))
	$(CC) $(ALL_CFLAGS) $(UI_INCLUDES) -Itests -Itests/lv2 -Iplugin -Ibench $(LILV_CFLAGS) $(LDFLAGS) \
	    $(filter %.c,$^) $(filter %.o,$^) $(LIB) $(LILV_LIBS) $(LDLIBS) -ldl -o $@

# The instruments' shared parts (live/): the limiter and the primer; the listening voice.
$(BUILD)/tests/test_live: live/limiter.c live/primer.c
$(BUILD)/tests/test_listener: tests/heldout.c live/listener.c live/voices.c live/primer.c

# The engine's real-time test counts forbidden calls with the interposer (tests/interposer.c).
$(BUILD)/tests/test_realtime: tests/interposer.c
$(BUILD)/tests/test_realtime: LDLIBS += -ldl

# Everything tests/run.sh runs: the test programs, the trainer's helpers, and (through all)
# the tool and the bundle.
tests: all $(TEST_BIN) $(TRAIN_HELPERS) $(BUDGET) $(GUI_CHECK)

# K=lv2 (or K="lv2 play") runs only the tests whose name contains one of the words.
RUN_K := $(foreach k,$(K),-k $(k))
test-plain: tests
	@PYTHON=$(PYTHON) bash tests/run.sh $(RUN_K) $(BUILD)

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" tests

test-asan: asan
	@PYTHON=$(PYTHON) bash tests/run.sh $(RUN_K) build-asan

# Both builds in one run, one summary line at the end.
test: tests asan
	@PYTHON=$(PYTHON) bash tests/run.sh $(RUN_K) $(BUILD) build-asan
check: test

FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -g -O1
fuzz: $(BUILD)/fuzz/fuzz_model_load
$(BUILD)/fuzz/fuzz_model_load: tests/fuzz/fuzz_model_load.c $(ENGINE_SRC)
	@mkdir -p $(dir $@)
	$(call depend,$(WARN) $(DEFS) -Iengine)
	clang $(WARN) $(DEFS) -Iengine $(FUZZ_FLAGS) $< $(ENGINE_SRC) -lz -lm -o $@

fuzz-run: fuzz
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_model_load -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -artifact_prefix=$(BUILD)/fuzz/ -print_final_stats=1 \
	    $(BUILD)/fuzz/corpus tests/fuzz/seeds

# ---- LV2 plugin (plugin/, ttl/, presets/) --------------------------------------------------
#   make plugin     the bundle $(BUILD)/lv2/srnn.lv2: library, GUI, ttl, presets, default model
.PHONY: plugin
plugin: $(LV2_FILES)

$(PLUGIN_OBJ): ALL_CFLAGS += -fvisibility=hidden $(call pkgconfig,--cflags,lv2)

# The engine goes inside the library, its symbols hidden: only lv2_descriptor is exported.
$(LV2_BUNDLE)/$(LV2_MODULE): $(PLUGIN_OBJ) $(LIB_PIC)
	@mkdir -p $(dir $@)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,--exclude-libs,ALL -Wl,--as-needed $^ \
	    $(PLUGIN_LIBS) -o $@

# The GUI (ui/lv2gui/, an X11 UI drawn with cairo) is a library of its own, as LV2 asks, so
# that a host without a display loads the plugin alone. It holds no engine: the plugin posts
# the model's card (plugin/model_card.h), and tests/test_lv2_gui.sh checks the library for it.
$(GUI_OBJ): ALL_CFLAGS += -fvisibility=hidden -Iplugin $(GUI_CFLAGS)
$(LV2_BUNDLE)/$(GUI_MODULE): $(GUI_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,--as-needed $^ $(GUI_LIBS) -o $@

$(LV2_BUNDLE)/manifest.ttl: ttl/manifest.ttl.in
	@mkdir -p $(dir $@)
	sed -e 's/@MODULE@/$(LV2_MODULE)/g' -e 's/@GUI_MODULE@/$(GUI_MODULE)/g' $< > $@

$(LV2_BUNDLE)/srnn.ttl: ttl/srnn.ttl
$(LV2_BUNDLE)/instrument.ttl: ttl/instrument.ttl
$(LV2_BUNDLE)/continuation.ttl: ttl/continuation.ttl
$(LV2_BUNDLE)/srnn_ui.ttl: ttl/srnn_ui.ttl
$(LV2_BUNDLE)/presets.ttl: presets/presets.ttl
$(LV2_BUNDLE)/default.srnn: models/default.srnn
$(LV2_BUNDLE)/srnn.ttl $(LV2_BUNDLE)/instrument.ttl $(LV2_BUNDLE)/continuation.ttl \
$(LV2_BUNDLE)/srnn_ui.ttl \
$(LV2_BUNDLE)/presets.ttl $(LV2_BUNDLE)/default.srnn:
	@mkdir -p $(dir $@)
	cp $< $@

# ---- Installation (the directories are at the top) ------------------------------------------
#   make install         the tool, the library (static; shared with its soname links), srnn.h,
#                        srnn.pc, the man page, the default model and the LV2 bundle, under
#                        $(DESTDIR); packagers also set PREFIX, LIBDIR, LV2DIR...
#   make uninstall       removes exactly those files (give it the same variables)
#   make install-user    the LV2 bundle alone to ~/.lv2, where hosts find a user's plugins;
#                        make uninstall-user removes it
.PHONY: install uninstall install-user uninstall-user
INSTALLED := $(BINDIR)/srnn $(LIBDIR)/libsrnn.a $(LIBDIR)/$(notdir $(SHLIB)) $(LIBDIR)/$(SONAME) \
             $(LIBDIR)/libsrnn.so $(INCLUDEDIR)/srnn.h $(PKGCONFIGDIR)/srnn.pc \
             $(MANDIR)/man1/srnn.1 $(DATADIR)/srnn/default.srnn \
             $(addprefix $(LV2DIR)/srnn.lv2/,$(notdir $(LV2_FILES)))
USER_LV2DIR := $(HOME)/.lv2

# $(call install_bundle,DIR): the bundle's files into DIR/srnn.lv2
define install_bundle
install -d $(1)/srnn.lv2
install -m 644 $(filter-out %.so,$(LV2_FILES)) $(1)/srnn.lv2/
install -m 755 $(filter %.so,$(LV2_FILES)) $(1)/srnn.lv2/
endef

install: all $(BUILD)/srnn.pc $(BUILD)/srnn.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/srnn
	install -m 755 $(SRNN) $(DESTDIR)$(BINDIR)/srnn
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libsrnn.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsrnn.so
	install -m 644 engine/srnn.h $(DESTDIR)$(INCLUDEDIR)/srnn.h
	install -m 644 $(BUILD)/srnn.pc $(DESTDIR)$(PKGCONFIGDIR)/srnn.pc
	install -m 644 $(BUILD)/srnn.1 $(DESTDIR)$(MANDIR)/man1/srnn.1
	install -m 644 models/default.srnn $(DESTDIR)$(DATADIR)/srnn/default.srnn
	$(call install_bundle,$(DESTDIR)$(LV2DIR))

# Directories are removed only when they are srnn's own and left empty.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DATADIR)/srnn $(DESTDIR)$(LV2DIR)/srnn.lv2 2>/dev/null || true

install-user: plugin
	$(call install_bundle,$(USER_LV2DIR))

uninstall-user:
	rm -f $(addprefix $(USER_LV2DIR)/srnn.lv2/,$(notdir $(LV2_FILES)))
	rmdir $(USER_LV2DIR)/srnn.lv2 2>/dev/null || true

# The pkg-config file and the man page, written at every install with the directories of
# that install in place of the @NAMES@.
$(BUILD)/srnn.pc: srnn.pc.in FORCE
$(BUILD)/srnn.1: ui/cli/srnn.1.in FORCE
$(BUILD)/srnn.pc $(BUILD)/srnn.1:
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@LV2DIR@|$(LV2DIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@ENGINE_LIBS@|$(ENGINE_LIBS)|g' $< >$@

# The plugin's tests are lilv hosts (tests/lv2/host.c); the real-time one links the interposer
# of what run() must never call (tests/interposer.c).
$(BUILD)/tests/test_lv2_%: tests/test_lv2_%.c tests/lv2/host.c $(LIB) $(LV2_FILES)
	@mkdir -p $(dir $@)
	$(call depend,$(ALL_CFLAGS) -Iplugin -Itests/lv2 $(LILV_CFLAGS))
	$(CC) $(ALL_CFLAGS) -Iplugin -Itests/lv2 $(LILV_CFLAGS) $(LDFLAGS) $(filter %.c,$^) $(LIB) \
	    $(LILV_LIBS) $(PLUGIN_LIBS) -ldl -lpthread -o $@
# The GUI's test host (tests/test_lv2_gui.sh runs it on Xvfb): the plugin in the lilv host, the
# GUI's library opened by it, XTest for the pointer, cairo for the screenshots' PNG files.
GUI_CHECK_PKGS := cairo fontconfig x11 xtst
GUI_CHECK_CFLAGS = $(eval GUI_CHECK_CFLAGS := $(call pkgconfig,--cflags,$(GUI_CHECK_PKGS)))$(GUI_CHECK_CFLAGS)
GUI_CHECK_LIBS = $(eval GUI_CHECK_LIBS := $(call pkgconfig,--libs,$(GUI_CHECK_PKGS)))$(GUI_CHECK_LIBS)
$(GUI_CHECK): tests/lv2_gui_check.c tests/lv2/host.c $(LIB) $(LV2_FILES)
	@mkdir -p $(dir $@)
	$(call depend,$(ALL_CFLAGS) -Iplugin -Itests/lv2 $(LILV_CFLAGS) $(GUI_CHECK_CFLAGS))
	$(CC) $(ALL_CFLAGS) -Iplugin -Itests/lv2 $(LILV_CFLAGS) $(GUI_CHECK_CFLAGS) $(LDFLAGS) \
	    $(filter %.c,$^) $(LIB) $(LILV_LIBS) $(GUI_CHECK_LIBS) $(PLUGIN_LIBS) -ldl -lpthread -o $@

$(BUILD)/tests/test_lv2_sound: tests/lv2/take.c tests/lv2/sinc_resample.c live/primer.c
$(BUILD)/tests/test_lv2_instrument: tests/lv2/take.c live/primer.c
$(BUILD)/tests/test_lv2_continuation: tests/lv2/take.c live/primer.c tests/heldout.c
$(BUILD)/tests/test_lv2_continuation: LILV_LIBS := $(call pkgconfig,--libs,lilv-0 sndfile)
$(BUILD)/tests/test_lv2_models: tests/lv2/take.c tests/lv2/random_model.c live/primer.c \
                                live/limiter.c
$(BUILD)/tests/test_lv2_realtime: tests/interposer.c tests/lv2/random_model.c
$(BUILD)/tests/test_lv2_speed $(BUILD)/tests/test_speed: bench/speed_model.c
$(BUILD)/tests/test_lv2_speed $(BUILD)/tests/test_speed: ALL_CFLAGS += -Ibench

# libFuzzer target for the TensorFlow checkpoint reader (ckpt/): FUZZ_SECONDS=600 make fuzz-ckpt-run
.PHONY: fuzz-ckpt fuzz-ckpt-run
fuzz-ckpt: $(BUILD)/fuzz/fuzz_ckpt
$(BUILD)/fuzz/fuzz_ckpt: tests/fuzz/fuzz_ckpt.c $(CKPT_SRC) $(LIB)
	@mkdir -p $(dir $@)
	$(call depend,$(WARN) $(DEFS) -Iengine -Ickpt $(call pkgconfig,--cflags,libcjson snappy))
	clang $(WARN) $(DEFS) -Iengine -Ickpt $(call pkgconfig,--cflags,libcjson snappy) \
	    $(FUZZ_FLAGS) $< $(CKPT_SRC) $(LIB) -lcjson -lsnappy -lz -lm -lpthread -o $@

fuzz-ckpt-run: fuzz-ckpt
	@mkdir -p $(BUILD)/fuzz/ckpt_corpus
	$(BUILD)/fuzz/fuzz_ckpt -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    $(BUILD)/fuzz/ckpt_corpus tests/fuzz/ckpt_seeds

# The player's soak, a measurement outside make test (tests/soak_play.sh; SOAK_SECONDS=600):
# srnn play on a real-time dummy JACK server with the probe preloaded (tests/soak_probe.c),
# which times its callback in CPU time and counts forbidden calls in it.
.PHONY: soak
SOAK_PROBE := $(BUILD)/tests/soak_probe.so
soak: all $(SOAK_PROBE)
	$(PYTHON) tests/reference/make_golden.py $(BUILD)/golden
	BUILD=$(BUILD) SRNN=$(BUILD)/srnn GOLDEN=$(BUILD)/golden bash tests/soak_play.sh

# Its thread-local arming is read inside malloc: initial-exec TLS needs no allocation.
$(SOAK_PROBE): tests/soak_probe.c tests/interposer.c tests/interposer.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -fPIC -ftls-model=initial-exec -shared $(LDFLAGS) \
	    $(filter %.c,$^) -ldl -o $@

# make clean removes build/ and build-asan/; make clean BUILD=DIR removes DIR alone, so that
# another build directory's owner keeps the ASan build.
clean:
	rm -rf $(BUILD) $(if $(filter build,$(BUILD)),build-asan)

-include $(wildcard $(BUILD)/*.d $(BUILD)/*/*.d $(BUILD)/*/*/*.d)
