/* srnn bench: how fast the engine generates, against the machine's limits and two baselines
 * measured in the same run (bench/): PRiSM's maths as a PyTorch batch-1 loop, and the plain
 * OpenBLAS sgemv implementation. "Of the limit" sets the bytes of weights a row streams a
 * second against one core's read bandwidth from a buffer the size of its weights, measured in
 * the same run: near 100%, reading the weights bounds it. Each configuration is measured several times, round robin,
 * so that load from other processes spreads over all of them; the table shows medians, and
 * the ratios are of medians from the same run. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "speed_blas.h"
#include "speed_model.h"
#include "speed_peak.h"
#include "srnn.h"

#define BLOCK 16          /* samples per timed block: an audio callback's worth at most */
#define MAX_BLOCKS 400000 /* 6.4 M samples */
#define MAX_REPEAT 20
#define MAX_DENSITIES 8

typedef struct {
    const char *name;
    uint32_t dim, layers;
} model_size;

static const model_size sizes[] = {{"S", 256, 2}, {"M", 512, 2}, {"L", 1024, 4}};
enum { SIZES = sizeof sizes / sizeof *sizes };

/* The weights measured: one precision everywhere, or the frame tiers' / the sample MLP's. */
static const struct {
    const char *name;
    srnn_precision precision, sample_precision;
} precisions[] = {
    {"float32", SRNN_PRECISION_F32, SRNN_PRECISION_AUTO},  {"float16", SRNN_PRECISION_F16, SRNN_PRECISION_AUTO},
    {"bfloat16", SRNN_PRECISION_BF16, SRNN_PRECISION_AUTO}, {"int8", SRNN_PRECISION_I8, SRNN_PRECISION_AUTO},
    {"int4", SRNN_PRECISION_I4, SRNN_PRECISION_AUTO},       {"int4/int8", SRNN_PRECISION_I4, SRNN_PRECISION_I8},
};
enum { PRECISIONS = sizeof precisions / sizeof *precisions };

typedef struct {
    double rate[MAX_REPEAT];        /* samples per second, one per repeat */
    double cpu_rate[MAX_REPEAT];    /* samples per second of the calling thread's CPU time */
    double mean_us, p99_us, max_us; /* 16-sample block times of the last repeat */
    double phase_ratio;             /* slowest block position in a big frame / mean, medians */
} result;

typedef struct {
    const char *sizes, *precisions, *threads, *voices, *directory;
    double seconds;
    uint64_t repeat;
    int pytorch, openblas;
    double densities[MAX_DENSITIES]; /* block densities below 1 measured at int8 */
    int density_count;
} bench_args;

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *values, size_t count)
{
    double sorted[MAX_REPEAT];
    memcpy(sorted, values, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, compare_doubles);
    return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

/* Generates with a group of voices (one voice: a group of one) in 16-sample blocks for about
 * seconds, timing every block; the rate is each voice's samples per second. */
static void measure_engine(const srnn_model *model, unsigned threads, unsigned voices,
                           double seconds, double *block_us, int repeat, result *r)
{
    srnn_voices *group;
    uint64_t seeds[SRNN_MAX_VOICES] = {0};
    for (unsigned v = 0; v < voices; v++) seeds[v] = 1 + v;
    if (srnn_voices_create(model, voices, seeds, threads, &group) != SRNN_OK) return;
    static int32_t samples[SRNN_MAX_VOICES][BLOCK];
    int32_t *outputs[SRNN_MAX_VOICES];
    for (unsigned v = 0; v < voices; v++) outputs[v] = samples[v];
    uint32_t bf = srnn_model_config(model)->big_frame_size;
    /* touch the weights once */
    srnn_voices_generate(group, NULL, outputs, BLOCK);
    size_t blocks = 0;
    double start = speed_now(), previous = start, cpu_start = speed_thread_cpu();
    while (blocks < MAX_BLOCKS && (previous - start < seconds || blocks < 4 * bf)) {
        srnn_voices_generate(group, NULL, outputs, BLOCK);
        double now = speed_now();
        block_us[blocks++] = (now - previous) * 1e6;
        previous = now;
    }
    r->rate[repeat] = (double)blocks * BLOCK / (previous - start);
    r->cpu_rate[repeat] = (double)blocks * BLOCK / (speed_thread_cpu() - cpu_start);

    double total = 0;
    for (size_t i = 0; i < blocks; i++) total += block_us[i];
    r->mean_us = total / (double)blocks;
    /* the structural flatness: blocks at the same position in a big frame do the same work,
     * so the median per position shows the schedule without the other processes' noise */
    size_t phases = bf % BLOCK == 0 ? bf / BLOCK : 1, per_phase = blocks / phases;
    double phase_median[64], *column = malloc(per_phase * sizeof *column), sum = 0, worst = 0;
    for (size_t p = 0; p < phases && p < 64 && column; p++) {
        for (size_t i = 0; i < per_phase; i++) column[i] = block_us[i * phases + p];
        qsort(column, per_phase, sizeof *column, compare_doubles);
        phase_median[p] = column[per_phase / 2];
        sum += phase_median[p];
        worst = fmax(worst, phase_median[p]);
    }
    free(column);
    r->phase_ratio = worst / (sum / (double)phases);
    qsort(block_us, blocks, sizeof *block_us, compare_doubles);
    r->p99_us = block_us[blocks * 99 / 100];
    r->max_us = block_us[blocks - 1];
    srnn_voices_free(group);
}

static void measure_openblas(const srnn_model *model, double seconds, int repeat, result *r)
{
    blas_voice *voice = blas_voice_create(model, 1);
    if (!voice) return;
    int32_t samples[64];
    blas_voice_generate(voice, SRNN_DEFAULT_TEMPERATURE, samples, 64);
    size_t count = 0;
    double start = speed_now(), elapsed;
    do {
        blas_voice_generate(voice, SRNN_DEFAULT_TEMPERATURE, samples, 64);
        count += 64;
        elapsed = speed_now() - start;
    } while (elapsed < seconds);
    r->rate[repeat] = (double)count / elapsed;
    blas_voice_free(voice);
}

/* bench/speed_pytorch.py beside this tool's source tree, run by Debian's Python */
static void measure_pytorch(const model_size *size, double seconds, int repeat, result *r)
{
    char command[512];
    snprintf(command, sizeof command,
             "/usr/bin/python3 bench/speed_pytorch.py --dim %u --layers %u --seconds %.3f",
             size->dim, size->layers, seconds);
    FILE *pipe = popen(command, "r");
    double rate = 0;
    if (pipe) {
        if (fscanf(pipe, "samples_per_second=%lf", &rate) != 1) rate = 0;
        pclose(pipe);
    }
    r->rate[repeat] = rate;
}

static int selected(const char *list, const char *name)
{
    size_t length = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == length && strncmp(p, name, n) == 0) return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* Every name in list must be one of names. */
static int check_list(const char *option, const char *list, const char *const *names, size_t count)
{
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p), i = 0;
        while (i < count && !(strlen(names[i]) == n && strncmp(p, names[i], n) == 0)) i++;
        if (i == count) {
            cli_error("bench: %s: '%.*s' is not one of the choices (see srnn help bench)", option,
                      (int)n, p);
            return -1;
        }
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* --threads' and --voices' choices: 1 to SRNN_MAX_THREADS threads, 1 to SRNN_MAX_VOICES voices */
static const char *const number_names[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
_Static_assert(sizeof number_names / sizeof *number_names == SRNN_MAX_THREADS &&
                   SRNN_MAX_VOICES == SRNN_MAX_THREADS,
               "a name for every number of threads and voices");

static int parse_args(int argc, char **argv, bench_args *a)
{
    cli_option options[] = {{"--sizes", NULL, NULL},     {"--precisions", NULL, NULL},
                            {"--threads", NULL, NULL},   {"--seconds", NULL, NULL},
                            {"--repeat", NULL, NULL},    {"--baselines", NULL, NULL},
                            {"--dir", NULL, NULL},       {"--densities", NULL, NULL},
                            {"--voices", NULL, NULL}};
    enum { SIZES_OPT, PRECISIONS_OPT, THREADS, SECONDS, REPEAT, BASELINES, DIR, DENSITIES, VOICES, NUM_OPTIONS };
    if (cli_parse(argc, argv, options, NUM_OPTIONS, NULL, 0, 0, "") < 0) return -1;
    const char *tmp = getenv("TMPDIR");
    *a = (bench_args){"S,M,L", "float32,float16,bfloat16,int8,int4,int4/int8", "1,2", "1",
                      tmp && *tmp ? tmp : "/tmp", 2.0, 3, 1, 1, {0}, 0};
    static const char *const size_names[] = {"S", "M", "L"};
    const char *precision_names[PRECISIONS];
    for (int p = 0; p < PRECISIONS; p++) precision_names[p] = precisions[p].name;
    static const char *const baseline_names[] = {"pytorch", "openblas", "none"};
    if (options[SIZES_OPT].value) a->sizes = options[SIZES_OPT].value;
    if (options[PRECISIONS_OPT].value) a->precisions = options[PRECISIONS_OPT].value;
    if (options[DIR].value) a->directory = options[DIR].value;
    if (options[THREADS].value) a->threads = options[THREADS].value;
    if (options[VOICES].value) a->voices = options[VOICES].value;
    if (check_list("--sizes", a->sizes, size_names, 3) != 0 ||
        check_list("--precisions", a->precisions, precision_names, PRECISIONS) != 0 ||
        check_list("--threads", a->threads, number_names, SRNN_MAX_THREADS) != 0 ||
        check_list("--voices", a->voices, number_names, SRNN_MAX_VOICES) != 0)
        return -1;
    if (options[BASELINES].value) {
        if (check_list("--baselines", options[BASELINES].value, baseline_names, 3) != 0) return -1;
        a->pytorch = selected(options[BASELINES].value, "pytorch");
        a->openblas = selected(options[BASELINES].value, "openblas");
    }
    if (options[SECONDS].value) {
        if (cli_parse_double("--seconds", options[SECONDS].value, &a->seconds) != 0) return -1;
        if (!(a->seconds >= 0.05 && a->seconds <= 600)) {
            cli_error("bench: --seconds %s is outside 0.05..600", options[SECONDS].value);
            return -1;
        }
    }
    for (const char *p = options[DENSITIES].value; p && *p;) { /* 1 is the dense rows */
        const char *comma = strchr(p, ',');
        char number[32];
        snprintf(number, sizeof number, "%.*s", (int)(comma ? (size_t)(comma - p) : strlen(p)), p);
        double density;
        if (cli_parse_positive("--densities", number, 1.0, " (a share of blocks kept)", &density) != 0) return -1;
        if (density < 1.0 && a->density_count == MAX_DENSITIES) {
            cli_error("bench: --densities: at most %d below 1", MAX_DENSITIES);
            return -1;
        }
        if (density < 1.0) a->densities[a->density_count++] = density;
        p = comma ? comma + 1 : NULL;
    }
    if (options[REPEAT].value) {
        if (cli_parse_u64("--repeat", options[REPEAT].value, &a->repeat) != 0) return -1;
        if (a->repeat < 1 || a->repeat > MAX_REPEAT) {
            cli_error("bench: --repeat %s is outside 1..%d", options[REPEAT].value, MAX_REPEAT);
            return -1;
        }
    }
    return 0;
}

static void print_ratio(double ours, const result *baseline, int repeats, int measured)
{
    double theirs = measured ? median(baseline->rate, (size_t)repeats) : 0;
    if (theirs > 0)
        printf(" %8.1fx |", ours / theirs);
    else
        printf(" %9s |", "-");
}

/* The random model at path pruned to a block density (srnn_model_write_pruned), loaded at
 * int8. 0, or -1 after one line on stderr. */
static int load_pruned(const char *path, const srnn_config *config, double density, srnn_model **out)
{
    char pruned[1100], error[SRNN_ERROR_MAX] = "";
    snprintf(pruned, sizeof pruned, "%s.%g", path, density);
    srnn_model *dense;
    if (srnn_model_load(path, &dense, error) != SRNN_OK) {
        cli_error("bench: %s: %s", path, error);
        return -1;
    }
    size_t count = srnn_config_tensor_count(config);
    const float **tensors = calloc(count, sizeof *tensors);
    float **factors = calloc(count, sizeof *factors);
    srnn_status status = tensors && factors ? SRNN_OK : SRNN_ERR_NOMEM;
    for (size_t i = 0; i < count && tensors; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        tensors[i] = srnn_model_tensor(dense, info.name, NULL);
    }
    if (status == SRNN_OK) /* the factors as they run at int8 */
        status = srnn_prune_factors(config, tensors, SRNN_PRECISION_I8, SRNN_PRECISION_I8, density, factors, error);
    for (size_t i = 0; i < count && status == SRNN_OK; i++)
        if (factors[i]) tensors[i] = factors[i];
    if (status == SRNN_OK)
        status = srnn_model_write_pruned(pruned, config, tensors, NULL, SRNN_PRECISION_F32,
                                         SRNN_PRECISION_AUTO, density, error);
    srnn_load_options options = {SRNN_CPU_AUTO, SRNN_PRECISION_I8, SRNN_PRECISION_I8};
    if (status == SRNN_OK) status = srnn_model_load_with(pruned, &options, out, error);
    if (status != SRNN_OK) cli_error("bench: %s: %s", pruned, error[0] ? error : srnn_status_string(status));
    unlink(pruned);
    for (size_t i = 0; factors && i < count; i++) free(factors[i]);
    free(factors);
    free(tensors);
    srnn_model_free(dense);
    return status == SRNN_OK ? 0 : -1;
}

static int bench_size(const bench_args *a, const model_size *size, double peak,
                      double *block_us)
{
    char path[1024], error[SRNN_ERROR_MAX] = "";
    snprintf(path, sizeof path, "%s/srnn-bench-%s-%ld.srnn", a->directory, size->name, (long)getpid());
    srnn_config config = speed_config(size->dim, size->layers);
    srnn_status status = speed_write_model(path, &config, SRNN_PRECISION_F32, error);
    if (status != SRNN_OK) {
        cli_error("bench: %s: %s", path, error[0] ? error : srnn_status_string(status));
        return -1;
    }
    srnn_model *models[PRECISIONS] = {0};
    static result results[PRECISIONS][SRNN_MAX_THREADS][SRNN_MAX_VOICES], pytorch, openblas;
    memset(results, 0, sizeof results);
    memset(&pytorch, 0, sizeof pytorch);
    memset(&openblas, 0, sizeof openblas);
    int failed = 0;
    for (int p = 0; p < PRECISIONS && !failed; p++) {
        if (!selected(a->precisions, precisions[p].name) &&
            !(p == 0 && a->openblas))
            continue;
        srnn_load_options options = {SRNN_CPU_AUTO, precisions[p].precision, precisions[p].sample_precision};
        if (srnn_model_load_with(path, &options, &models[p], error) != SRNN_OK) {
            cli_error("bench: %s: %s", path, error);
            failed = 1;
        }
    }
    srnn_model *sparse[MAX_DENSITIES] = {0};
    static result sparse_results[MAX_DENSITIES][SRNN_MAX_THREADS][SRNN_MAX_VOICES];
    memset(sparse_results, 0, sizeof sparse_results);
    for (int d = 0; d < a->density_count && !failed; d++)
        failed = load_pruned(path, &config, a->densities[d], &sparse[d]);
    unlink(path);
    int repeats = (int)a->repeat;
    for (int r = 0; r < repeats && !failed; r++) {
        for (int p = 0; p < PRECISIONS; p++)
            for (unsigned t = 0; t < SRNN_MAX_THREADS; t++)
                for (unsigned v = 0; v < SRNN_MAX_VOICES; v++)
                    if (models[p] && selected(a->precisions, precisions[p].name) &&
                        selected(a->threads, number_names[t]) && selected(a->voices, number_names[v]))
                        measure_engine(models[p], t + 1, v + 1, a->seconds, block_us, r, &results[p][t][v]);
        for (int d = 0; d < a->density_count; d++)
            for (unsigned t = 0; t < SRNN_MAX_THREADS; t++)
                for (unsigned v = 0; v < SRNN_MAX_VOICES; v++)
                    if (selected(a->threads, number_names[t]) && selected(a->voices, number_names[v]))
                        measure_engine(sparse[d], t + 1, v + 1, a->seconds, block_us, r,
                                       &sparse_results[d][t][v]);
        if (a->openblas) measure_openblas(models[0], a->seconds, r, &openblas);
        if (a->pytorch) measure_pytorch(size, a->seconds, r, &pytorch);
    }
    /* what bounds a row whose weights stream: one core's read bandwidth from a buffer the
     * size of its weights (whichever cache level or memory holds that), measured here */
    struct {
        double per_sample, bandwidth; /* bytes of weights read a sample; the limit, GB/s */
        uint64_t resident;
    } traffic[PRECISIONS + MAX_DENSITIES] = {0};
    for (int row = 0; row < PRECISIONS + a->density_count && !failed; row++) {
        const srnn_model *model = row < PRECISIONS ? models[row] : sparse[row - PRECISIONS];
        if (!model || (row < PRECISIONS && !selected(a->precisions, precisions[row].name))) continue;
        const char *isa;
        srnn_model_weight_traffic(model, &traffic[row].per_sample, &traffic[row].resident);
        traffic[row].bandwidth = speed_read_bandwidth((size_t)traffic[row].resident, 0.4, &isa);
        if (traffic[row].bandwidth <= 0) {
            cli_error("bench: out of memory measuring the read bandwidth");
            failed = 1;
        }
    }
    uint64_t macs = 0; /* the same for every precision */
    for (int p = 0; p < PRECISIONS; p++)
        if (models[p]) macs = srnn_model_macs_per_sample(models[p]);
    /* a row per precision, then per density (GMAC/s counts the dense MACs: an equivalent) */
    for (int row = 0; row < PRECISIONS + a->density_count && !failed; row++)
        for (unsigned t = 0; t < SRNN_MAX_THREADS; t++)
            for (unsigned v = 0; v < SRNN_MAX_VOICES; v++) {
                int dense = row < PRECISIONS;
                const srnn_model *model = dense ? models[row] : sparse[row - PRECISIONS];
                if (!model || (dense && !selected(a->precisions, precisions[row].name)) ||
                    !selected(a->threads, number_names[t]) || !selected(a->voices, number_names[v]))
                    continue;
                const result *r = dense ? &results[row][t][v] : &sparse_results[row - PRECISIONS][t][v];
                const result *one = dense ? &results[row][t][0] : &sparse_results[row - PRECISIONS][t][0];
                char weights[32];
                if (dense)
                    snprintf(weights, sizeof weights, "%s", precisions[row].name);
                else
                    snprintf(weights, sizeof weights, "int8 %g%%", 100 * a->densities[row - PRECISIONS]);
                /* rate: each voice's samples per second; GMAC/s: all the voices' */
                double rate = median(r->rate, (size_t)repeats), gmacs = rate * (v + 1) * (double)macs / 1e9;
                /* the group reads its weights once a step for all its voices */
                double streamed = rate * traffic[row].per_sample / 1e9;
                printf("| %s %ux%u | %-9s | %-6s | %u | %u | %9.0f | %6.2fx | %6.1f | %4.0f%% "
                       "| %5.2f MB, %6.1f MB | %5.1f GB/s of %5.1f: %4.0f%% "
                       "| %6.1f / %6.1f / %7.1f | %4.2f |",
                       size->name, size->dim, size->layers, weights,
                       srnn_cpu_name(srnn_model_cpu(model)), t + 1, v + 1, rate,
                       rate / config.sample_rate, gmacs, 100 * gmacs / (peak * (t + 1)),
                       traffic[row].per_sample / 1e6, (double)traffic[row].resident / 1e6,
                       streamed, traffic[row].bandwidth, 100 * streamed / traffic[row].bandwidth,
                       r->mean_us, r->p99_us, r->max_us,
                       r->phase_ratio);
                    /* the CPU time per sample of the group's thread over one voice's, both
                 * measured in this run: other processes' preemptions do not count */
                if (selected(a->voices, "1"))
                    printf(" %6.2fx |", median(one->cpu_rate, (size_t)repeats) / median(r->cpu_rate, (size_t)repeats));
                else
                    printf(" %7s |", "-");
                print_ratio(rate, &pytorch, repeats, a->pytorch);
                print_ratio(rate, &openblas, repeats, a->openblas);
                printf("\n");
            }
    if (!failed && (a->pytorch || a->openblas)) {
        printf("| %s %ux%u | baselines: | PyTorch %.0f samples/s (%.4fx real time), OpenBLAS "
               "%.0f samples/s (%.3fx) | | | | | | | | | | | | | |\n",
               size->name, size->dim, size->layers, a->pytorch ? median(pytorch.rate, (size_t)repeats) : 0,
               a->pytorch ? median(pytorch.rate, (size_t)repeats) / config.sample_rate : 0,
               a->openblas ? median(openblas.rate, (size_t)repeats) : 0,
               a->openblas ? median(openblas.rate, (size_t)repeats) / config.sample_rate : 0);
    }
    fflush(stdout);
    for (int p = 0; p < PRECISIONS; p++) srnn_model_free(models[p]);
    for (int d = 0; d < a->density_count; d++) srnn_model_free(sparse[d]);
    return failed ? -1 : 0;
}

static int bench_run(int argc, char **argv)
{
    bench_args a;
    if (parse_args(argc, argv, &a) != 0) return CLI_EXIT_USAGE;
    if (a.pytorch && access("bench/speed_pytorch.py", R_OK) != 0) {
        cli_error("bench: bench/speed_pytorch.py not found: run from the source tree, or "
                  "--baselines openblas");
        return CLI_EXIT_USAGE;
    }
    double *block_us = malloc(MAX_BLOCKS * sizeof *block_us);
    if (!block_us) {
        cli_error("bench: out of memory");
        return CLI_EXIT_ERROR;
    }
    const char *isa, *read_isa;
    double peak = speed_fma_peak(0.5, &isa);
    double l2 = speed_read_bandwidth(512 << 10, 0.4, &read_isa);
    double l3 = speed_read_bandwidth(8 << 20, 0.4, &read_isa);
    double dram = speed_read_bandwidth(512u << 20, 0.6, &read_isa);
    printf("machine: one core's peak %.1f GMAC/s (%s FMA); one core reads (%s loads) %.1f GB/s "
           "from 512 KiB, %.1f GB/s from 8 MiB, %.1f GB/s from 512 MiB\n\n",
           peak, isa, read_isa, l2, l3, dram);
    printf("| model | weights | level | threads | voices | samples/s | real time | GMAC/s | of peak "
           "| weights read per sample, resident | weights streamed, of the limit | 16-sample "
           "block µs: mean / p99 / max | worst/mean | cost vs 1 voice | vs PyTorch "
           "| vs OpenBLAS |\n");
    printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int status = CLI_EXIT_OK;
    for (int s = 0; s < SIZES && status == CLI_EXIT_OK; s++)
        if (selected(a.sizes, sizes[s].name) && bench_size(&a, &sizes[s], peak, block_us) != 0)
            status = CLI_EXIT_ERROR;
    free(block_us);
    return status;
}

const cli_command cmd_bench = {
    "bench",
    "measure generation speed against the machine's peak, PyTorch and OpenBLAS",
    "usage: srnn bench [--sizes S,M,L]\n"
    "                  [--precisions float32,float16,bfloat16,int8,int4,int4/int8]\n"
    "                  [--threads 1,2,...,8] [--voices 1,2,...,8] [--seconds T] [--repeat N]\n"
    "                  [--baselines pytorch,openblas|none] [--dir DIR]\n"
    "                  [--densities 1,0.5,0.25,0.1]\n"
    "\n"
    "Writes random models of PRiSM's default shape (GRU, frames 16/64, mu-law, 16 kHz) at\n"
    "S = 256x2, M = 512x2 and L = 1024x4 (dim x layers) to DIR (default $TMPDIR or /tmp),\n"
    "loads each at every precision (int4/int8: the frame tiers at int4, the sample MLP at\n"
    "int8), and generates with one voice of each number of threads (default 1,2;\n"
    "srnn_voice_create_threads), or a group of each number of voices (--voices, default 1;\n"
    "srnn_voices_create), for T seconds (default 2) in blocks of 16\n"
    "samples, N times (default 3), round robin with the baselines: PRiSM's maths as a\n"
    "PyTorch batch-1 loop on one thread (bench/speed_pytorch.py, run from the source tree)\n"
    "and a plain OpenBLAS sgemv implementation. Prints a markdown table: median samples/s,\n"
    "the real-time factor at 16 kHz, GMAC/s and its share of one core's FMA peak (measured\n"
    "first; times the threads), 16-sample block times, the slowest block position's\n"
    "median over the mean, and\n"
    "the speed-ups over the baselines. --densities adds rows at int8 for the model pruned to\n"
    "each block density below 1 (srnn convert --density); their GMAC/s counts the dense\n"
    "model's multiply-adds. With several voices, samples/s and real time are each voice's,\n"
    "GMAC/s all of theirs, and \"cost vs 1 voice\" is the CPU time per sample of the\n"
    "generating thread with the group over that with one voice (with --voices 1 among the\n"
    "choices; CPU time, which other processes' preemptions do not inflate).\n",
    bench_run,
};
