/* srnn render: generates audio from a model into wav files, as PRiSM's generate.py does:
 * sequence i is a voice seeded with seed + i that starts from a prime, the model's primer
 * (live/primer.h), or silence, and starts again from the primer after silence. The sequences
 * are rendered up to SRNN_MAX_VOICES at a time as one group of voices (srnn_voices), which
 * gives each the samples of a voice alone until its first restart (a restart in a group waits
 * for the next big frame). */
#include <inttypes.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_file.h"
#include "cli.h"
#include "primer.h"
#include "progress.h"
#include "srnn.h"

enum { BLOCK = 4096 };
#define MAX_SECONDS 86400.0  /* a day: beyond it a typo is likelier than a wish */
#define MAX_SEQS 1000

typedef struct {
    const char *model;
    const char *output;
    double seconds;
    double temperature;
    uint64_t seed;
    uint64_t num_seqs;
    const char *prime;
    uint64_t prime_offset;
} render_args;

static int parse_args(int argc, char **argv, render_args *a) {
    cli_option options[] = {
        {"--output", "-o", NULL},  {"--seconds", NULL, NULL}, {"--temperature", NULL, NULL},
        {"--seed", NULL, NULL},    {"--num-seqs", NULL, NULL}, {"--prime", NULL, NULL},
        {"--prime-offset", NULL, NULL},
    };
    enum { OUTPUT, SECONDS, TEMPERATURE, SEED, NUM_SEQS, PRIME, PRIME_OFFSET, NUM_OPTIONS };
    const char *positional[1];
    if (cli_parse(argc, argv, options, NUM_OPTIONS, positional, 1, 1, "MODEL -o OUT.wav") < 0)
        return -1;
    *a = (render_args){positional[0], options[OUTPUT].value, 3.0, SRNN_DEFAULT_TEMPERATURE, 0, 1,
                       options[PRIME].value, 0};
    if (!a->output) {
        cli_error("render: missing -o OUT.wav (the file to write)");
        return -1;
    }
    if (options[SECONDS].value && cli_parse_positive("--seconds", options[SECONDS].value,
                                                     MAX_SECONDS, " (24 hours)", &a->seconds))
        return -1;
    if (options[TEMPERATURE].value &&
        cli_parse_positive("--temperature", options[TEMPERATURE].value, SRNN_MAX_TEMPERATURE, NULL,
                           &a->temperature))
        return -1;
    if (options[SEED].value && cli_parse_u64("--seed", options[SEED].value, &a->seed) != 0)
        return -1;
    if (options[NUM_SEQS].value) {
        if (cli_parse_u64("--num-seqs", options[NUM_SEQS].value, &a->num_seqs) != 0) return -1;
        if (a->num_seqs < 1 || a->num_seqs > MAX_SEQS) {
            cli_error("--num-seqs must be from 1 to %d, not %s", MAX_SEQS,
                      options[NUM_SEQS].value);
            return -1;
        }
    }
    if (options[PRIME_OFFSET].value) {
        if (!a->prime) {
            cli_error("--prime-offset needs --prime AUDIO");
            return -1;
        }
        if (cli_parse_u64("--prime-offset", options[PRIME_OFFSET].value, &a->prime_offset) != 0)
            return -1;
    }
    return 0;
}

/* The first BF samples of the prime from the offset, quantised: the history generation
 * continues. NULL after printing the line when the audio cannot be read or is too short. */
static int32_t *read_prime(const render_args *a, const srnn_config *config) {
    float *audio;
    size_t count;
    char error[AUDIO_ERROR_MAX];
    if (audio_read_mono(a->prime, config->sample_rate, &audio, &count, error) != 0) {
        cli_error("%s", error);
        return NULL;
    }
    size_t bf = config->big_frame_size;
    if (a->prime_offset > count || count - a->prime_offset < bf) {
        cli_error("%s: too short to prime from offset %" PRIu64 ": needs %zu samples at %" PRIu32
                  " Hz from there, has %zu in all",
                  a->prime, a->prime_offset, bf, config->sample_rate, count);
        free(audio);
        return NULL;
    }
    int32_t *history = malloc(bf * sizeof *history);
    if (!history) {
        cli_error("out of memory");
        free(audio);
        return NULL;
    }
    for (size_t i = 0; i < bf; i++)
        history[i] = srnn_quantise(config, audio[a->prime_offset + i]);
    free(audio);
    return history;
}

/* Where sequence index (0-based) of count goes: the output itself, or "_N" before its
 * extension. */
static char *sequence_path(const char *output, uint64_t index, uint64_t count) {
    if (count == 1) return strdup(output);
    const char *slash = strrchr(output, '/');
    const char *base = slash ? slash + 1 : output;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = output + strlen(output); /* no extension (or a dot file) */
    size_t size = strlen(output) + 32;
    char *path = malloc(size);
    if (path)
        snprintf(path, size, "%.*s_%" PRIu64 "%s", (int)(dot - output), output, index + 1, dot);
    return path;
}

/* Generates total samples of each of the count voices of group (already seeded and primed)
 * into paths[v], the files written side by side. A voice silent for long enough starts again
 * from the model's primer (live/primer.h), checked at the end of each block. */
static int render_files(srnn_voices *group, const live_primer *primer, const uint64_t *seeds,
                        char *const *paths, unsigned count, uint64_t total, uint32_t rate) {
    char error[AUDIO_ERROR_MAX];
    audio_writer *writers[SRNN_MAX_VOICES] = {0};
    static float blocks[SRNN_MAX_VOICES][BLOCK];
    float *outputs[SRNN_MAX_VOICES];
    live_silence silence[SRNN_MAX_VOICES];
    uint32_t restarts[SRNN_MAX_VOICES] = {0};
    int failed = 0;
    for (unsigned v = 0; v < count && !failed; v++) {
        outputs[v] = blocks[v];
        live_silence_init(&silence[v], rate);
        if (!(writers[v] = audio_writer_open(paths[v], rate, error))) {
            cli_error("%s", error);
            failed = 1;
        }
    }
    progress bar;
    char label[64];
    if (count == 1)
        snprintf(label, sizeof label, "%s", paths[0]);
    else
        snprintf(label, sizeof label, "%u files", count);
    progress_begin(&bar, label, total, rate);
    for (uint64_t done = 0; done < total && !failed;) {
        size_t n = total - done < BLOCK ? (size_t)(total - done) : BLOCK;
        srnn_voices_generate(group, outputs, NULL, n);
        for (unsigned v = 0; v < count && !failed; v++) {
            if (audio_writer_write(writers[v], blocks[v], n, error) != 0) {
                cli_error("%s", error);
                failed = 1;
            }
            bool restart = false;
            for (size_t i = 0; i < n; i++) restart |= live_silence_update(&silence[v], blocks[v][i]);
            const int32_t *frame = restart ? live_primer_frame(primer, seeds[v], ++restarts[v]) : NULL;
            if (frame) srnn_voices_prime(group, v, frame, primer->big_frame);
        }
        done += n;
        progress_update(&bar, done);
    }
    double elapsed = progress_end(&bar), seconds = (double)total / rate;
    for (unsigned v = 0; v < count; v++) {
        if (!writers[v]) continue;
        if (audio_writer_close(writers[v], error) != 0) {
            if (!failed) cli_error("%s", error);
            failed = 1;
        }
        if (!failed)
            fprintf(stderr, "wrote %s: %.2f s at %" PRIu32 " Hz in %.2f s, %.2fx real time%s\n",
                    paths[v], seconds, rate, elapsed, elapsed > 0.0 ? seconds / elapsed : INFINITY,
                    count > 1 ? " (one of the sequences rendered together)" : "");
    }
    return failed ? -1 : 0;
}

static int render_run(int argc, char **argv) {
    render_args a;
    if (parse_args(argc, argv, &a) != 0) return CLI_EXIT_USAGE;
    srnn_model *model = cli_load_model(a.model);
    if (!model) return CLI_EXIT_ERROR;
    const srnn_config *config = srnn_model_config(model);
    int status = CLI_EXIT_ERROR;
    int32_t *prime = NULL;
    live_primer primer = {0};
    char error[SRNN_ERROR_MAX];
    if (live_primer_read(model, &primer, error) != 0) {
        cli_error("%s: %s", a.model, error);
        goto done;
    }
    uint64_t total = (uint64_t)llround(a.seconds * config->sample_rate);
    if (total == 0) {
        cli_error("--seconds %g is less than one sample at %" PRIu32 " Hz", a.seconds,
                  config->sample_rate);
        goto done;
    }
    if (a.prime && !(prime = read_prime(&a, config))) goto done;
    /* up to SRNN_MAX_VOICES sequences at a time, as one group of voices sharing each pass
     * over the weights; each gives the samples of a voice alone with its seed */
    for (uint64_t first = 0; first < a.num_seqs; first += SRNN_MAX_VOICES) {
        unsigned count = a.num_seqs - first < SRNN_MAX_VOICES ? (unsigned)(a.num_seqs - first) : SRNN_MAX_VOICES;
        uint64_t seeds[SRNN_MAX_VOICES];
        char *paths[SRNN_MAX_VOICES] = {0};
        int failed = 0;
        for (unsigned v = 0; v < count; v++) {
            seeds[v] = a.seed + first + v; /* wraps around 2^64, as seeds may */
            if (!(paths[v] = sequence_path(a.output, first + v, a.num_seqs))) failed = 1;
        }
        srnn_voices *group = NULL;
        srnn_status created = failed ? SRNN_ERR_NOMEM : srnn_voices_create(model, count, seeds, 1, &group);
        if (created != SRNN_OK) {
            cli_error("cannot create %u voice%s: %s", count, count == 1 ? "" : "s", srnn_status_string(created));
            failed = 1;
        }
        for (unsigned v = 0; v < count && !failed; v++) {
            srnn_voices_set_temperature(group, v, (float)a.temperature);
            const int32_t *start = prime ? prime : live_primer_frame(&primer, seeds[v], 0);
            if (start) srnn_voices_prime(group, v, start, config->big_frame_size);
        }
        if (!failed)
            failed = render_files(group, &primer, seeds, paths, count, total, config->sample_rate);
        srnn_voices_free(group);
        for (unsigned v = 0; v < count; v++) free(paths[v]);
        if (failed) goto done;
    }
    status = CLI_EXIT_OK;
done:
    free(prime);
    live_primer_free(&primer);
    srnn_model_free(model);
    return status;
}

const cli_command cmd_render = {
    "render",
    "generate audio from a model into wav files",
    "usage: srnn render MODEL -o OUT.wav [options]\n"
    "\n"
    "Generates audio from MODEL as PRiSM SampleRNN's generate.py does and writes it as 16-bit\n"
    "mono wav at the model's sample rate.\n"
    "\n"
    "  -o, --output OUT.wav  the file to write; with --num-seqs K > 1, OUT_1.wav ... OUT_K.wav\n"
    "  --seconds S           length of each sequence, > 0 and at most 86400 (default 3)\n"
    "  --temperature T       sampling temperature, > 0 and at most 1000 (default 0.95)\n"
    "  --seed N              random seed of the first sequence; sequence i uses N+i (default 0)\n"
    "  --num-seqs K          number of sequences, 1 to 1000 (default 1); up to 8 are\n"
    "                        rendered together, sharing each pass over the weights\n"
    "  --prime AUDIO         start from a big frame of this audio instead of the model's\n"
    "                        primer (or silence, for a model without one) (any\n"
    "                        format libsndfile reads; mixed to mono, resampled to the model's\n"
    "                        rate)\n"
    "  --prime-offset N      where in the prime that big frame starts, in samples at the\n"
    "                        model's rate (default 0)\n"
    "\n"
    "A model with a primer (srnn convert --primer) starts each sequence from a big frame of\n"
    "it, and a sequence that stays below -40 dBFS for half a second starts again from\n"
    "another: a SampleRNN started from silence tends to stay silent at low temperatures.\n"
    "\n"
    "Each file written gets a summary line on stderr (speed as a real-time factor), preceded\n"
    "by a progress bar while it renders when stderr is a terminal.\n",
    render_run,
};
