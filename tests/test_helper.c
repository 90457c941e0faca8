/* The helper threads (engine/helper.h): shared products equal products computed alone, bit for
 * bit, in every dtype and for every range of blocks and batches of 1 to 3 vectors, however the blocks fall between the
 * threads, with 1, 2, 3 and 7 helpers (each owning a fixed slice of the blocks); the helpers do
 * take part (some of their results are used) and the audio thread steals back what they have
 * not done. Many products in a row, with inputs changing between them, as a voice does. A
 * stalled helper (every helper held in a signal handler for STALL_MS) does not stall the
 * audio thread: it goes on, stealing, at its own speed, with the same bits. Then whole voices:
 * a random model wide enough for its products to be shared (D = 512) generates the same
 * samples with 2, 3 and 8 threads as with one, at every precision, and so does each voice of a
 * group of three (batched products), with 1 and 3 threads. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dtype.h"
#include "helper.h"
#include "srnn.h"

/* large enough to be shared in every dtype (helper.c shares from 512 KiB of weights) */
/* Fewer products and samples in the ASan/UBSan build, whose engine is several times slower. */
#if defined(__SANITIZE_ADDRESS__)
enum { PRODUCTS = 150, SAMPLES = 300 };
#else
enum { PRODUCTS = 600, SAMPLES = 1500 };
#endif
enum { IN = 1000, OUT = 900, STALL_MS = 400, VECTORS = 3 };

static uint64_t state = 7;
static float uniform(void)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((state >> 40) / 16777216.0) * 2.0f - 1.0f;
}

/* A random GRU model of width 512 written to path (uniform weights of variance 1/fan-in). */
static int write_random_model(const char *path)
{
    srnn_config c = {.sample_rate = 16000, .frame_size = 16, .big_frame_size = 64, .dim = 512,
                     .num_rnn_layers = 2, .rnn_type = SRNN_RNN_GRU, .q_type = SRNN_Q_MULAW,
                     .q_levels = 256, .seq_len = 1024, .emb_size = 256};
    size_t count = srnn_config_tensor_count(&c);
    float **tensors = calloc(count, sizeof *tensors);
    char error[SRNN_ERROR_MAX];
    int ok = tensors != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(&c, i, &info);
        uint32_t fan_in = info.ndim == 3 ? info.shape[2] : info.shape[0];
        float range = sqrtf(3.0f / (float)fan_in);
        ok = (tensors[i] = malloc(info.count * sizeof(float))) != NULL;
        for (uint64_t k = 0; ok && k < info.count; k++) tensors[i][k] = range * uniform();
    }
    ok = ok && srnn_model_write(path, &c, (const float *const *)tensors, NULL, error) == SRNN_OK;
    for (size_t i = 0; tensors && i < count; i++) free(tensors[i]);
    free(tensors);
    return ok;
}

/* A group of three voices (seeds 11, 12, 13), with 1 and 3 threads, against voices alone:
 * the batched products of every precision, shared with helpers or not. first holds seed 11's
 * samples alone. */
static void check_group(const srnn_model *model, srnn_precision p, const int32_t *first)
{
    enum { VOICES = 3 };
    static int32_t expected[VOICES][SAMPLES], got[VOICES][SAMPLES];
    static const uint64_t seeds[VOICES] = {11, 12, 13};
    memcpy(expected[0], first, sizeof expected[0]);
    for (int v = 1; v < VOICES; v++) {
        srnn_voice *one;
        if (!CHECK(srnn_voice_create(model, seeds[v], &one) == SRNN_OK, "cannot create a voice")) return;
        srnn_voice_generate(one, 1.0f, NULL, expected[v], SAMPLES);
        srnn_voice_free(one);
    }
    for (unsigned threads = 1; threads <= 3; threads += 2) {
        srnn_voices *group;
        if (!CHECK(srnn_voices_create(model, VOICES, seeds, threads, &group) == SRNN_OK,
                   "cannot create a group of %d voices", VOICES))
            continue;
        for (int v = 0; v < VOICES; v++) srnn_voices_set_temperature(group, (unsigned)v, 1.0f);
        for (size_t done = 0, block = 1; done < SAMPLES; done += block, block = block * 7 % 61 + 1) {
            size_t n = block < SAMPLES - done ? block : SAMPLES - done;
            int32_t *outputs[VOICES] = {got[0] + done, got[1] + done, got[2] + done};
            srnn_voices_generate(group, NULL, outputs, n);
        }
        int same = memcmp(expected, got, sizeof got) == 0;
        CHECK_SHOW(same, "group 512x2 %-8s: %d voices, %u thread%s, %s", srnn_precision_name(p),
                   VOICES, threads, threads == 1 ? "" : "s",
                   same ? "each equal to its voice alone" : "DIFFER");
        srnn_voices_free(group);
    }
}

static void check_voices(void)
{
    char path[] = "/tmp/srnn-test-helper-XXXXXX";
    int fd = mkstemp(path);
    if (!CHECK(fd >= 0 && write_random_model(path), "cannot write a random model")) return;
    close(fd);
    static int32_t alone[SAMPLES], shared[SAMPLES];
    static const unsigned threads[] = {2, 3, SRNN_MAX_THREADS};
    for (srnn_precision p = SRNN_PRECISION_F32; p <= SRNN_PRECISION_I4; p++) {
        srnn_load_options options = {.precision = p};
        srnn_model *model;
        srnn_voice *one;
        char error[SRNN_ERROR_MAX];
        if (!CHECK(srnn_model_load_with(path, &options, &model, error) == SRNN_OK &&
                       srnn_voice_create_threads(model, 11, 1, &one) == SRNN_OK,
                   "cannot load %s or create its voice", path))
            break;
        srnn_voice_generate(one, 1.0f, NULL, alone, SAMPLES);
        srnn_voice_free(one);
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
            srnn_voice *many;
            if (!CHECK(srnn_voice_create_threads(model, 11, threads[t], &many) == SRNN_OK,
                       "cannot create a voice of %u threads", threads[t]))
                continue;
            for (size_t done = 0, block = 1; done < SAMPLES; done += block, block = block * 7 % 61 + 1)
                srnn_voice_generate(many, 1.0f, NULL, shared + done,
                                    block < SAMPLES - done ? block : SAMPLES - done);
            int same = memcmp(alone, shared, sizeof alone) == 0;
            CHECK_SHOW(same, "voice 512x2 %-8s: %d samples with %u threads %s",
                       srnn_precision_name(p), SAMPLES, threads[t],
                       same ? "equal the samples of one" : "DIFFER");
            srnn_voice_free(many);
        }
        check_group(model, p, alone);
        srnn_model_free(model);
    }

    unlink(path);
}

/* Matrices of every dtype, outliving the helpers (as a model outlives its voices: a late
 * helper may still read a block the audio thread took back). */
enum { DTYPES = SRNN_DTYPE_I4 + 1 };
static srnn_matrix matrices[DTYPES];

static void make_matrices(const float *scale, const uint16_t *scale_f16)
{
    uint32_t blocks = (OUT + SRNN_BLOCK - 1) / SRNN_BLOCK;
    for (int dtype = 0; dtype < DTYPES; dtype++) {
        srnn_matrix w = {IN, OUT, blocks, (srnn_dtype)dtype, NULL, NULL, NULL, NULL, NULL};
        size_t size = srnn_matrix_rows(&w) * blocks * SRNN_BLOCK * srnn_dtype_bits(dtype) / 8;
        uint8_t *data = malloc(size);
        for (size_t i = 0; data && i < size; i++)
            data[i] = (uint8_t)(uniform() * 100); /* finite in every dtype */
        w.data = data;
        w.scale = w.dtype == SRNN_DTYPE_I8 ? (const void *)scale : w.dtype == SRNN_DTYPE_I4 ? (const void *)scale_f16 : NULL;
        matrices[dtype] = w;
    }
}

/* count products of w, shared and alone, over ranges that move, each of 1 to VECTORS vectors
 * (a voice group's batched products); whether all were equal. */
static int same_products(const srnn_exec *shared, const srnn_matrix *w, int count)
{
    static float x[VECTORS][IN], y1[VECTORS][16 * SRNN_BLOCK], y2[VECTORS][16 * SRNN_BLOCK];
    const float *inputs[VECTORS];
    float *outputs[VECTORS];
    int same = 1;
    for (int n = 0; n < count; n++) {
        unsigned vectors = 1 + (unsigned)n % VECTORS;
        uint32_t begin = (uint32_t)(n % 3), end = w->blocks - (uint32_t)(n % 2);
        for (unsigned v = 0; v < vectors; v++) {
            for (int i = 0; i < IN; i++) x[v][i] = uniform();
            for (int o = 0; o < 16 * SRNN_BLOCK; o++) y1[v][o] = y2[v][o] = uniform();
            shared->kernels->gemv(w, x[v], y1[v], begin, end);
            inputs[v] = x[v];
            outputs[v] = y2[v];
        }
        srnn_exec_gemv(shared, w, vectors, inputs, outputs, begin, end);
        for (unsigned v = 0; v < vectors; v++) same &= memcmp(y1[v], y2[v], sizeof y1[v]) == 0;
    }
    return same;
}

static void hold(int signal_number)
{
    (void)signal_number;
    struct timespec pause = {0, STALL_MS * 1000000L};
    nanosleep(&pause, NULL); /* async-signal-safe */
}

/* Sends SIGUSR1 to every thread named srnn-helper; how many. */
static int stall_helpers(void)
{
    DIR *tasks = opendir("/proc/self/task");
    int stalled = 0;
    for (struct dirent *e; tasks && (e = readdir(tasks));) {
        char path[300], name[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        if (fgets(name, sizeof name, f) && strncmp(name, "srnn-helper", 11) == 0)
            stalled += syscall(SYS_tgkill, getpid(), atoi(e->d_name), SIGUSR1) == 0;
        fclose(f);
    }
    if (tasks) closedir(tasks);
    return stalled;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

/* With every helper held in a signal handler, products go on at the audio thread's own
 * speed (well within the stall), stealing every helper block, with the same bits. */
static void check_stalled(srnn_exec *shared, unsigned helpers)
{
    const srnn_matrix *w = &matrices[SRNN_DTYPE_F32];
    enum { STALLED_PRODUCTS = 20 };
    double start = now_ms();
    same_products(shared, w, 1); /* a product alone, as long as one stalled */
    double one = now_ms() - start;
    int stalled = stall_helpers();
    uint64_t taken, stolen, stolen_before;
    srnn_helpers_counts(shared->helpers, &taken, &stolen_before);
    start = now_ms();
    int same = same_products(shared, w, STALLED_PRODUCTS);
    double took = now_ms() - start;
    srnn_helpers_counts(shared->helpers, &taken, &stolen);
    CHECK_SHOW(stalled == (int)helpers && same && took < STALL_MS / 2 &&
                   stolen > stolen_before,
               "%u helpers stalled for %d ms (%d signalled): %d products took %.1f ms (one: %.2f "
               "ms), %llu blocks stolen, results %s",
               helpers, STALL_MS, stalled, STALLED_PRODUCTS, took, one,
               (unsigned long long)(stolen - stolen_before), same ? "equal" : "DIFFER");
    struct timespec pause = {0, (STALL_MS + 50) * 1000000L}; /* let them go before stopping */
    nanosleep(&pause, NULL);
}

int main(void)
{
    const srnn_kernels *k = srnn_kernels_get(SRNN_CPU_AUTO);
    uint32_t blocks = (OUT + SRNN_BLOCK - 1) / SRNN_BLOCK;
    /* enough scales for I4's groups (I8 reads the first blocks · 64) */
    size_t scales = (IN + SRNN_I4_GROUP - 1) / SRNN_I4_GROUP * blocks * SRNN_BLOCK;
    float *scale = malloc(scales * sizeof *scale);
    uint16_t *scale_f16 = malloc(scales * sizeof *scale_f16); /* I4's (kernels.h) */
    for (size_t i = 0; i < scales; i++) {
        scale[i] = 0.01f;
        scale_f16[i] = srnn_f32_to_f16(0.01f);
    }
    make_matrices(scale, scale_f16);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = hold;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);

    static const unsigned helper_counts[] = {1, 2, 3, SRNN_MAX_THREADS - 1};
    for (size_t c = 0; c < sizeof helper_counts / sizeof *helper_counts; c++) {
        unsigned count = helper_counts[c];
        srnn_helpers *helpers = srnn_helpers_start(k, count, IN, blocks, VECTORS);
        if (!CHECK(helpers, "cannot start %u helpers", count)) continue;
        /* a product of several vectors the helpers cannot take is quantised here */
        static int16_t quantised[VECTORS * ((IN + SRNN_I4_GROUP - 1) / SRNN_I4_GROUP * SRNN_I4_GROUP)];
        srnn_exec shared = {k, helpers, quantised, IN};
        int same = 1;
        for (int dtype = 0; dtype < DTYPES; dtype++)
            same &= same_products(&shared, &matrices[dtype], PRODUCTS);
        uint64_t taken, stolen;
        srnn_helpers_counts(helpers, &taken, &stolen);
        CHECK_SHOW(same && taken > 0 && taken + stolen > 0,
                   "%u helpers: %d shared products in each of %d dtypes %s; blocks taken from "
                   "the helpers %llu, stolen back %llu%s",
                   count, PRODUCTS, DTYPES, same ? "equal the products alone" : "DIFFER",
                   (unsigned long long)taken, (unsigned long long)stolen,
                   taken > 0 ? "" : " (the helpers never helped)");
        check_stalled(&shared, count);
        srnn_helpers_stop(helpers);
    }
    CHECK_SHOW(srnn_helpers_start(k, 0, IN, blocks, 1) == NULL &&
                   srnn_helpers_start(k, SRNN_MAX_THREADS, IN, blocks, 1) == NULL &&
                   srnn_helpers_start(k, 1, IN, blocks, SRNN_MAX_VOICES + 1) == NULL,
               "0 and %d helpers, and %d vectors, are refused", SRNN_MAX_THREADS, SRNN_MAX_VOICES + 1);
    for (int dtype = 0; dtype < DTYPES; dtype++) free((void *)matrices[dtype].data);
    free(scale);
    check_voices();
    return check_summary();
}
