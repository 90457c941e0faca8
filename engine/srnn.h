/* srnn: real-time inference of three-tier SampleRNN models (PRiSM SampleRNN semantics).
 *
 * A model (srnn_model) is loaded once from a .srnn file (models/FORMAT.md), is read-only
 * afterwards and may be shared by any number of voices on any threads. A voice (srnn_voice)
 * is the state of one generator: RNN states, the recent samples, the sampler's random numbers.
 *
 * Real-time contract
 * ------------------
 * These functions may be called from an audio thread: srnn_voice_generate, srnn_voice_predict,
 * srnn_voice_feed, srnn_voice_sample, srnn_voice_reset, srnn_voice_prime, srnn_voices_generate,
 * srnn_voices_feed, srnn_voices_predict, srnn_voices_reset, srnn_voices_prime, srnn_voices_stop,
 * srnn_voices_stopped, srnn_voices_starts_in, srnn_voices_set_temperature, srnn_voices_count,
 * srnn_quantise, srnn_dequantise and the srnn_model_* getters. They never allocate or free memory, take no lock, make no system
 * call, do no I/O, and run in time bounded by the number of samples asked for. Loading,
 * freeing, creating and destroying take time, memory and I/O: call them from another thread.
 * A voice is used by one thread at a time; a model must outlive its voices.
 *
 * The library never prints and never exits; every failure is a status code, and loaders
 * also fill a caller's buffer with one line naming the problem.
 */
#ifndef SRNN_H
#define SRNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Stable error codes: values never change meaning, new ones are appended. */
typedef enum {
    SRNN_OK = 0,
    SRNN_ERR_IO = 1,        /* the file is missing or cannot be read or mapped */
    SRNN_ERR_FORMAT = 2,    /* not a model file, or its structure is broken */
    SRNN_ERR_VERSION = 3,   /* a format version this library does not read */
    SRNN_ERR_TRUNCATED = 4, /* the file is shorter than it says */
    SRNN_ERR_CHECKSUM = 5,  /* the contents do not match the checksum */
    SRNN_ERR_CONFIG = 6,    /* a configuration value is out of range or inconsistent */
    SRNN_ERR_TENSOR = 7,    /* a tensor is missing, unknown, misplaced or of the wrong shape */
    SRNN_ERR_NOMEM = 8,     /* out of memory */
    SRNN_ERR_ARGUMENT = 9,  /* a caller passed an invalid argument */
    SRNN_ERR_VALUE = 10,    /* a weight is not finite */
} srnn_status;

/* A short, static description of a status code. */
const char *srnn_status_string(srnn_status status);

/* Size of the buffer the loaders fill with a one-line description of what went wrong. */
#define SRNN_ERROR_MAX 256

typedef enum { SRNN_RNN_GRU = 0, SRNN_RNN_LSTM = 1 } srnn_rnn_type;
typedef enum { SRNN_Q_MULAW = 0, SRNN_Q_LINEAR = 1 } srnn_q_type;

/* The hyper-parameters of a model, as in PRiSM's *.config.json plus the sample rate. */
typedef struct {
    uint32_t sample_rate;    /* Hz */
    uint32_t frame_size;     /* F */
    uint32_t big_frame_size; /* BF, a multiple of F */
    uint32_t dim;            /* D */
    uint32_t num_rnn_layers; /* L */
    srnn_rnn_type rnn_type;
    srnn_q_type q_type;
    uint32_t q_levels; /* Q: 256 for mu-law */
    uint32_t skip_conn; /* 0 or 1 */
    uint32_t seq_len;   /* training only */
    uint32_t emb_size;  /* unused by the maths; kept for PRiSM round trips */
} srnn_config;

/* The limits and defaults every part of srnn shares (the engine, the tool, the plugin). */
#define SRNN_MAX_FRAME_RATIO 1024 /* BF/F at most: frames a big frame conditions */
#define SRNN_DEFAULT_TEMPERATURE 0.95f /* PRiSM's generate.py default */
#define SRNN_MAX_TEMPERATURE 1000.0f   /* a higher temperature samples as this one */
#define SRNN_ARGMAX_TEMPERATURE 1e-6f  /* at or below it (or NaN): the most likely sample */
#define SRNN_MAX_THREADS 8 /* threads of one voice (srnn_voice_create_threads) */
#define SRNN_MAX_VOICES 8  /* voices of one group (srnn_voices_create) */

typedef struct srnn_model srnn_model;
typedef struct srnn_voice srnn_voice;
typedef struct srnn_voices srnn_voices;

/* Loads and fully validates a model file (mapped, not copied). On failure *model is NULL and
 * error (if not NULL) holds one line naming the problem. */
srnn_status srnn_model_load(const char *path, srnn_model **model, char error[SRNN_ERROR_MAX]);

/* The same from bytes in memory, which are copied; for tests and fuzzing. */
srnn_status srnn_model_load_memory(const void *data, size_t size, srnn_model **model,
                                   char error[SRNN_ERROR_MAX]);

/* Instruction set levels of the engine's kernels. Every level computes bit-identical
 * results; higher ones are faster. */
typedef enum {
    SRNN_CPU_AUTO = 0,    /* the best this CPU has, capped by the environment variable SRNN_CPU */
    SRNN_CPU_GENERIC = 1, /* plain C */
    SRNN_CPU_AVX2 = 2,    /* x86-64 with AVX2 and F16C */
    SRNN_CPU_AVX512 = 3,  /* x86-64 with AVX-512F and BW */
    SRNN_CPU_NEON = 4,    /* 64-bit ARM */
} srnn_cpu;

/* The precision of the weights the engine computes with. Reduced precisions make a model
 * smaller and faster (less memory to stream per sample) at a small cost in accuracy. */
typedef enum {
    SRNN_PRECISION_AUTO = 0, /* the precision the file stores (float32 unless converted) */
    SRNN_PRECISION_F32 = 1,
    SRNN_PRECISION_F16 = 2,  /* IEEE half */
    SRNN_PRECISION_BF16 = 3, /* bfloat16 */
    SRNN_PRECISION_I8 = 4,   /* 8-bit integers with one float scale per matrix row */
    SRNN_PRECISION_I4 = 5,   /* 4-bit integers with one float scale per group of 32 inputs of a
                              * row; the recurrent kernels, the output layer and each tier's
                              * input from the samples stay int8 (few bytes, most of the error) */
} srnn_precision;

/* How srnn_model_load_with prepares a model; zero-initialised means the defaults. The two
 * frame tiers (their RNNs and upsamplings) and the sample-level MLP may run at different
 * precisions, e.g. the frame tiers, most of the weights, at int4 and the MLP, which decides
 * every sample, at int8. */
typedef struct {
    srnn_cpu cpu;             /* a lower level than the best, e.g. to compare levels */
    srnn_precision precision; /* the weights' precision in memory (AUTO: the file's) */
    srnn_precision sample_precision; /* the sample MLP's (AUTO: precision's when that is
                                        given, else the file's) */
} srnn_load_options;

/* srnn_model_load with options (NULL: the defaults). The environment variable SRNN_CPU
 * (generic, avx2, avx512 or neon) caps the level; a level the CPU lacks falls back to the
 * best one it has. */
srnn_status srnn_model_load_with(const char *path, const srnn_load_options *options,
                                 srnn_model **model, char error[SRNN_ERROR_MAX]);
srnn_status srnn_model_load_memory_with(const void *data, size_t size,
                                        const srnn_load_options *options, srnn_model **model,
                                        char error[SRNN_ERROR_MAX]);

/* The level and the precisions a loaded model computes with (the frame tiers', the sample
 * MLP's), and their names ("avx512", "int8", ...); names of unknown values are "unknown". */
srnn_cpu srnn_model_cpu(const srnn_model *model);
srnn_precision srnn_model_precision(const srnn_model *model);
srnn_precision srnn_model_sample_precision(const srnn_model *model);
const char *srnn_cpu_name(srnn_cpu cpu);
const char *srnn_precision_name(srnn_precision precision);

/* Frees a model (NULL is a no-op). Its voices must be freed first. */
void srnn_model_free(srnn_model *model);

const srnn_config *srnn_model_config(const srnn_model *model);

/* The value of a metadata key, or NULL when the file has none. Valid while the model lives. */
const char *srnn_model_metadata(const srnn_model *model, const char *key);

/* Calls fn for every metadata key=value pair in file order. */
void srnn_model_metadata_each(const srnn_model *model,
                              void (*fn)(const char *key, const char *value, void *user),
                              void *user);

/* Number of weights stored in the file. */
uint64_t srnn_model_parameter_count(const srnn_model *model);

/* Multiply-accumulates per generated sample, averaged over a big frame, as the engine
 * computes it: with the linear maps that follow each other multiplied out at load time (the
 * embedding, input convolution and hidden1 into one table; the input Dense and the
 * upsamplings into the layers after them). */
uint64_t srnn_model_macs_per_sample(const srnn_model *model);

/* The bytes of weights a generated sample reads, averaged over a big frame, as the engine runs
 * the model (each matrix at its precision with its scales, block-sparse ones as stored, the F
 * rows of hidden1's table), and the bytes all of them occupy: what bounds a model whose
 * products stream their weights from the cache level or memory that holds them. */
void srnn_model_weight_traffic(const srnn_model *model, double *bytes_per_sample,
                               uint64_t *resident_bytes);

/* The tensors a configuration requires, in file order (models/FORMAT.md). */
#define SRNN_TENSOR_NAME_MAX 56
typedef struct {
    char name[SRNN_TENSOR_NAME_MAX];
    uint32_t ndim;
    uint32_t shape[4]; /* unused trailing entries are 0 */
    uint64_t count;    /* elements */
} srnn_tensor_info;

/* Number of tensors a (valid) configuration requires. */
size_t srnn_config_tensor_count(const srnn_config *config);

/* Name and shape of required tensor index (< srnn_config_tensor_count). */
srnn_status srnn_config_tensor(const srnn_config *config, size_t index, srnn_tensor_info *info);

/* A loaded model's tensor by name (NULL if the model has none); fills info when not NULL. */
const float *srnn_model_tensor(const srnn_model *model, const char *name, srnn_tensor_info *info);

/* Writes a model file atomically: a temporary file beside path, fsync, rename, so path holds
 * either the old or the complete new file whatever happens. tensors[i] is the data of tensor
 * i in srnn_config_tensor order; metadata is "key=value\n" lines or NULL. */
srnn_status srnn_model_write(const char *path, const srnn_config *config,
                             const float *const *tensors, const char *metadata,
                             char error[SRNN_ERROR_MAX]);

/* srnn_model_write with the weights stored at a precision (models/FORMAT.md, version 2;
 * biases stay float32): float16 and bfloat16 halve the file, int8 quarters it, int4 (version
 * 4; some matrices at int8) makes it smaller still, and the model then runs at that precision
 * unless loaded with another. SRNN_PRECISION_AUTO and _F32 write version 1, as srnn_model_write. */
srnn_status srnn_model_write_with(const char *path, const srnn_config *config,
                                  const float *const *tensors, const char *metadata,
                                  srnn_precision precision, char error[SRNN_ERROR_MAX]);

/* The same with the frame tiers' tensors at precision and the sample MLP's at
 * sample_precision (AUTO: precision); different precisions write version 3, int4 version 4. */
srnn_status srnn_model_write_tiers(const char *path, const srnn_config *config,
                                   const float *const *tensors, const char *metadata,
                                   srnn_precision precision, srnn_precision sample_precision,
                                   char error[SRNN_ERROR_MAX]);

/* srnn_model_write_tiers with the matrices the engine runs as stored (the RNN kernels past
 * layer 0, the recurrent and skip kernels, hidden2, the output) pruned to a density
 * (0 < density <= 1) of their pieces of 4 inputs x 8 outputs, keeping those of the largest
 * L2 norm, and stored block-sparse (models/FORMAT.md, version 4); int8 runs them block-sparse.
 * Pruning without training costs quality (srnn train prunes while it trains). density 1 is
 * srnn_model_write_tiers. */
srnn_status srnn_model_write_pruned(const char *path, const srnn_config *config,
                                    const float *const *tensors, const char *metadata,
                                    srnn_precision precision, srnn_precision sample_precision,
                                    double density, char error[SRNN_ERROR_MAX]);

/* srnn_model_write_tiers with each matrix the engine runs as stored whose zeros fill whole
 * pieces of 4 inputs x 8 outputs (as sparse training leaves them) stored block-sparse without
 * them (version 4); for a model without such pieces, srnn_model_write_tiers. */
srnn_status srnn_model_write_sparse(const char *path, const srnn_config *config,
                                    const float *const *tensors, const char *metadata,
                                    srnn_precision precision, srnn_precision sample_precision,
                                    char error[SRNN_ERROR_MAX]);

/* For srnn_model_write_pruned: the factors of the products the engine multiplies out at load
 * time (the upsamplings, hidden1's kernel, the frame tier's layer-0 kernel) pruned to density
 * too, where the engine at these precisions (sample_precision AUTO: precision) then keeps them
 * apart because their block-sparse int8 pieces read fewer bytes than their dense product.
 * pruned (srnn_config_tensor_count entries) gets a copy of tensor i pruned, which the caller
 * frees, else NULL; write pruned[i] where set, else tensors[i]. They are stored dense, with
 * their pruned pieces zero. */
srnn_status srnn_prune_factors(const srnn_config *config, const float *const *tensors,
                               srnn_precision precision, srnn_precision sample_precision,
                               double density, float **pruned, char error[SRNN_ERROR_MAX]);

/* Checks a configuration; on failure fills error with the offending field. */
srnn_status srnn_config_check(const srnn_config *config, char error[SRNN_ERROR_MAX]);

/* A voice at the start of generation: RNN states zero, the last BF samples silent (Q/2),
 * random numbers seeded with seed. */
srnn_status srnn_voice_create(const srnn_model *model, uint64_t seed, srnn_voice **voice);
void srnn_voice_free(srnn_voice *voice); /* NULL is a no-op */

/* A voice that shares its matrix products with threads - 1 helper threads it starts
 * (threads from 1 to SRNN_MAX_THREADS; 1 is srnn_voice_create), for models too large for one
 * core: each thread computes its own fixed slice of every large matrix (column block k
 * belongs to thread k mod threads), so each core streams and caches its own part. It generates
 * exactly the samples of a one-thread voice. The calls of the real-time contract stay
 * real-time safe on the calling thread: it publishes each product through atomic words,
 * computes its own slice, takes the helpers' finished blocks and takes back (steals) every
 * block a helper has not finished, computing it itself; it never waits for a helper (no lock,
 * no system call, no spinning on one). Helpers spin while the voice generates and sleep after
 * a pause; they have the scheduling of the thread that creates the voice (create it from a
 * real-time thread, or raise them, for real-time helpers). srnn_voice_free stops them. */
srnn_status srnn_voice_create_threads(const srnn_model *model, uint64_t seed, unsigned threads,
                                      srnn_voice **voice);

/* Back to the state srnn_voice_create gave, with a new seed. Real-time safe. */
void srnn_voice_reset(srnn_voice *voice, uint64_t seed);

/* Resets the RNN states and makes samples[0..count) the history the next big frame is
 * computed from (only the last BF count; missing ones are silent). Values are clamped to
 * [0, Q). Real-time safe. */
void srnn_voice_prime(srnn_voice *voice, const int32_t *samples, size_t count);

/* The logits (Q values) of the distribution of the next sample given the history. Calling it
 * again before srnn_voice_feed returns the same array. Valid until the next feed/reset. */
const float *srnn_voice_predict(srnn_voice *voice);

/* Appends a sample (clamped to [0, Q)) to the history and advances one position. */
void srnn_voice_feed(srnn_voice *voice, int32_t sample);

/* One categorical draw from softmax(logits / temperature), computed in double precision as
 * PRiSM does. temperature <= SRNN_ARGMAX_TEMPERATURE (or NaN) picks the argmax; it is capped at
 * SRNN_MAX_TEMPERATURE. Uses and advances the voice's random numbers. */
int32_t srnn_voice_sample(srnn_voice *voice, const float *logits, float temperature);

/* Generates count samples at one temperature: predict, sample, feed. Writes the quantised
 * samples to quantised (if not NULL) and their audio values in [-1, 1] to audio (if not NULL).
 * Denormals are flushed inside. Real-time safe. */
void srnn_voice_generate(srnn_voice *voice, float temperature, float *audio,
                         int32_t *quantised, size_t count);

/* Voices of one model that step together
 * -----------------------------------------
 * A group of voices (the two of a stereo instrument, the notes of a polyphonic one, the
 * sequences of a render) shares each pass over the weights: every matrix product of a step is
 * one batched product over the voices playing, which reads each block of weights from memory
 * once for all of them, so two voices cost much less than twice one. Each voice generates
 * exactly the samples a voice alone (srnn_voice_create) gives from the same seed and history.
 *
 * The voices of a group keep one clock: the frame tiers of all of them run at the same sample
 * positions. A voice (re)started (srnn_voices_reset, srnn_voices_prime) while others play
 * begins at the group's next big frame boundary, at most big_frame_size - 1 samples later (4 ms
 * for frames 16/64 at 16 kHz), where a voice alone would begin too, and is silent until then;
 * when no voice of the group plays it begins at once. A stopped voice is silent and, once the
 * products it had queued are done (within a big frame), costs nothing. Silent samples are the
 * quantised value Q/2. */

/* A group of count voices (1 to SRNN_MAX_VOICES), voice v seeded with seeds[v] and playing
 * from silence at SRNN_DEFAULT_TEMPERATURE; threads as srnn_voice_create_threads (the helpers'
 * slice of each product covers all the voices). */
srnn_status srnn_voices_create(const srnn_model *model, unsigned count, const uint64_t *seeds,
                               unsigned threads, srnn_voices **voices);
void srnn_voices_free(srnn_voices *voices); /* NULL is a no-op */
unsigned srnn_voices_count(const srnn_voices *voices);

/* Restarts voice from silence with a new seed, as srnn_voice_reset (beginning at the group's
 * next big frame boundary). A voice number past the group's is ignored, here and below. */
void srnn_voices_reset(srnn_voices *voices, unsigned voice, uint64_t seed);
/* Restarts voice from a history, as srnn_voice_prime (its random numbers go on). */
void srnn_voices_prime(srnn_voices *voices, unsigned voice, const int32_t *samples, size_t count);
/* Silences voice until it is reset or primed. */
void srnn_voices_stop(srnn_voices *voices, unsigned voice);
/* 1 when voice is stopped (or past the group's), else 0 (playing or about to). */
int srnn_voices_stopped(const srnn_voices *voices, unsigned voice);
/* How many of the group's next samples voice stays silent for before it begins: for a voice
 * (re)started while others play, the samples to the group's next big frame boundary; 0 when it
 * plays, begins with the next sample, or is stopped. */
size_t srnn_voices_starts_in(const srnn_voices *voices, unsigned voice);
/* The temperature voice samples at from now on (as srnn_voice_sample's). */
void srnn_voices_set_temperature(srnn_voices *voices, unsigned voice, float temperature);

/* Teacher forcing in a group (the continuation effect's listening voice, live/listener.h): at
 * the group's next step (srnn_voices_generate's next sample) voice takes sample (clamped to
 * [0, Q)) instead of drawing one, as srnn_voice_feed appends it to a voice alone's history; its
 * random numbers are not used, and the step writes sample out. For that one step: a voice that
 * does not play in it (stopped, or waiting for the group's next big frame boundary) drops it. */
void srnn_voices_feed(srnn_voices *voices, unsigned voice, int32_t sample);

/* The logits of voice's next sample, as srnn_voice_predict's: computed for every voice playing
 * at once (starting the waiting voices when the group is at a big frame boundary), the same
 * array until the next step; NULL for a voice that does not play in that step. */
const float *srnn_voices_predict(srnn_voices *voices, unsigned voice);

/* Generates count samples of every voice: voice v's into audio[v] (values in [-1, 1]) and
 * quantised[v] where those arrays and entries are not NULL. Denormals are flushed inside. */
void srnn_voices_generate(srnn_voices *voices, float *const *audio, int32_t *const *quantised,
                          size_t count);

/* Speed on this machine
 * --------------------
 * Whether a model plays live here depends on the CPU, the precision and the threads: these
 * measure it when a model loads (never on the audio thread) and say what would help. */

/* Generates from a temporary voice of threads threads (srnn_voice_create_threads) for about
 * seconds of the calling thread's CPU time (at least two big frames, after one untimed to
 * warm the caches) and gives the samples generated per second of that CPU time: what an
 * audio thread running this model on this machine can sustain. The model's real-time factor
 * is *samples_per_second / its sample rate. seconds in (0, 60]. Not real-time safe. */
srnn_status srnn_model_measure_speed(const srnn_model *model, unsigned threads, double seconds,
                                     double *samples_per_second);

/* As srnn_model_measure_speed for a group of voices voices (1 to SRNN_MAX_VOICES,
 * srnn_voices_create) stepping together: each voice's samples per second of the calling
 * thread's CPU time, so the group's real-time factor is *samples_per_second / the model's
 * sample rate. Not real-time safe. */
srnn_status srnn_voices_measure_speed(const srnn_model *model, unsigned voices, unsigned threads,
                                      double seconds, double *samples_per_second);

/* Below this real-time factor a model cannot play live: an audio period takes longer to
 * generate than to play. */
#define SRNN_SPEED_LIVE 1.0

/* When realtime_factor (measured at precision, the frame tiers', with threads threads on a
 * machine of cores cores) is below SRNN_SPEED_LIVE, fills advice with one line saying that
 * the model cannot play live here and what would help (fewer bits per weight, more threads,
 * a sparse model) and returns 1; else empties advice and returns 0. */
int srnn_speed_advice(double realtime_factor, srnn_precision precision, unsigned threads,
                      unsigned cores, char advice[SRNN_ERROR_MAX]);

/* The cores this process may run on (its affinity; at least 1). */
unsigned srnn_cores(void);

/* Quantisation as PRiSM does it, for this model's q_type and Q. */
int32_t srnn_quantise(const srnn_config *config, float audio);
float srnn_dequantise(const srnn_config *config, int32_t sample);

#ifdef __cplusplus
}
#endif

#endif
