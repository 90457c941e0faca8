#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "atomic_file.h"
#include "byte_buffer.h"
#include "checkpoint.h"

#define STATE_MAGIC "SRNNTRST"
/* 1 lacks pruning; 2 the processes (then 1), the subsequence and carried states; all are read */
#define STATE_VERSION 3
#define MODEL_CHECKSUM_OFFSET 24 /* models/FORMAT.md header */

void train_checkpoint_paths(const char *run_dir, uint64_t step, char model[TRAIN_PATH_MAX],
                            char state[TRAIN_PATH_MAX])
{
    snprintf(model, TRAIN_PATH_MAX, "%s/ckpt-%09" PRIu64 ".srnn", run_dir, step);
    snprintf(state, TRAIN_PATH_MAX, "%s/ckpt-%09" PRIu64 ".state", run_dir, step);
}

/* The CRC-32 a model file stores in its header. */
static bool model_checksum(const char *path, uint32_t *checksum)
{
    FILE *f = fopen(path, "rb");
    uint8_t b[4];
    bool ok = f && fseek(f, MODEL_CHECKSUM_OFFSET, SEEK_SET) == 0 && fread(b, 1, 4, f) == 4;
    if (f) fclose(f);
    *checksum = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return ok;
}

static void put_f64(byte_buffer *out, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    buffer_put_u64(out, bits);
}

/* The progress fields in file order; reading walks the same list. */
/* clang-format off */
#define PROGRESS_FIELDS(U64, U32, F64)                                                             \
    U64(epoch) U64(batch) U64(global_step) F64(learning_rate)                                      \
    F64(epoch_loss_sum) U64(epoch_correct) U64(epoch_count)                                        \
    F64(best_metric) U32(has_best) U32(epochs_without_improvement)                                 \
    U64(nan_recoveries) F64(elapsed_seconds) F64(last_val_loss) F64(last_val_accuracy)             \
    F64(interval_loss_sum) F64(interval_grad_norm_sum)                                             \
    U64(interval_correct) U64(interval_count) U64(interval_steps)                                  \
    U64(seed) U64(batch_size) U64(train_chunks) U64(val_chunks) U64(chunk_length)                  \
    U32(optimizer) U32(threads) F64(momentum)
/* version 2 on */
#define PRUNE_FIELDS(U64, F64)                                                                     \
    F64(prune.density[SRNN_PRUNE_RNN]) F64(prune.density[SRNN_PRUNE_UPSAMPLING])                   \
    F64(prune.density[SRNN_PRUNE_MLP]) U64(prune.start) U64(prune.end) U64(prune.every)
/* version 3 on; then the count of carried floats */
#define PROGRESS_FIELDS_3(U64, U32) U32(processes) U64(subsequence)
/* clang-format on */

bool train_checkpoint_write(const train_core *core, const train_progress *p,
                            const float *carried, size_t carried_floats, const char *model_path,
                            const char *state_path, const char *metadata,
                            char error[TRAIN_CHECKPOINT_ERROR_MAX])
{
    char detail[SRNN_ERROR_MAX];
    if (train_core_write_model(core, model_path, metadata, detail) != SRNN_OK) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: %s", model_path, detail);
        return false;
    }
    uint32_t checksum;
    if (!model_checksum(model_path, &checksum)) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: cannot read back", model_path);
        return false;
    }
    byte_buffer out = {0};
    buffer_append(&out, STATE_MAGIC, 8);
    buffer_put_u32(&out, STATE_VERSION);
    buffer_put_u32(&out, checksum);
    buffer_put_u64(&out, core->opt.floats);
    buffer_put_u64(&out, core->opt.step);
#define PUT_U64(f) buffer_put_u64(&out, p->f);
#define PUT_U32(f) buffer_put_u32(&out, p->f);
#define PUT_F64(f) put_f64(&out, p->f);
    PROGRESS_FIELDS(PUT_U64, PUT_U32, PUT_F64)
    PRUNE_FIELDS(PUT_U64, PUT_F64)
    PROGRESS_FIELDS_3(PUT_U64, PUT_U32)
    if (!p->subsequence) carried_floats = 0;
    buffer_put_u64(&out, carried_floats);
    buffer_append(&out, core->opt.m, core->opt.floats * sizeof(float));
    buffer_append(&out, core->opt.v, core->opt.floats * sizeof(float));
    buffer_put_u32(&out, core->mask != NULL);
    for (size_t i = 0; core->mask && i < core->opt.floats; i++) {
        uint8_t kept = core->mask[i] != 0.0f;
        buffer_append(&out, &kept, 1);
    }
    if (carried_floats) buffer_append(&out, carried, carried_floats * sizeof(float));
    buffer_put_u32(&out, (uint32_t)crc32(0, out.data, (uInt)out.size));
    bool ok = !out.failed;
    if (!ok) snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "out of memory writing %s", state_path);
    ok = ok && srnn_atomic_file_put(state_path, out.data, out.size, error,
                                    TRAIN_CHECKPOINT_ERROR_MAX) == SRNN_OK;
    buffer_free(&out);
    return ok;
}

typedef struct {
    const uint8_t *p, *end;
    bool ok;
} reader;

static uint64_t get_u64(reader *r)
{
    if (r->end - r->p < 8) return r->ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

static uint32_t get_u32(reader *r)
{
    if (r->end - r->p < 4) return r->ok = false, 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)r->p[i] << (8 * i);
    r->p += 4;
    return v;
}

static double get_f64(reader *r)
{
    uint64_t bits = get_u64(r);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static uint8_t *read_whole(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long length = ftell(f);
        if (length > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)length)) &&
            fread(data, 1, (size_t)length, f) != (size_t)length) {
            free(data);
            data = NULL;
        }
        *size = length > 0 ? (size_t)length : 0;
    }
    fclose(f);
    return data;
}

bool train_checkpoint_read(train_core *core, train_progress *p, float *carried,
                           size_t carried_floats, const char *model_path, const char *state_path,
                           char error[TRAIN_CHECKPOINT_ERROR_MAX])
{
    size_t size = 0;
    uint8_t *data = read_whole(state_path, &size);
    if (!data) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: %s", state_path,
                 errno ? strerror(errno) : "unreadable");
        return false;
    }
    bool ok = false;
    reader r = {data, data + size, true};
    uint32_t checksum = 0, stored_crc = 0;
    if (size < 12 || memcmp(data, STATE_MAGIC, 8) != 0) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: not a training state file", state_path);
        goto done;
    }
    stored_crc = (uint32_t)data[size - 4] | (uint32_t)data[size - 3] << 8 |
                 (uint32_t)data[size - 2] << 16 | (uint32_t)data[size - 1] << 24;
    if ((uint32_t)crc32(0, data, (uInt)(size - 4)) != stored_crc) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: checksum mismatch (damaged)", state_path);
        goto done;
    }
    r.p += 8;
    r.end -= 4;
    uint32_t version = get_u32(&r);
    if (version < 1 || version > STATE_VERSION) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: unknown version", state_path);
        goto done;
    }
    uint32_t expected_checksum = get_u32(&r);
    if (!model_checksum(model_path, &checksum) || checksum != expected_checksum) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s does not belong to %s", state_path,
                 model_path);
        goto done;
    }
    uint64_t floats = get_u64(&r), step = get_u64(&r);
#define GET_U64(f) p->f = get_u64(&r);
#define GET_U32(f) p->f = get_u32(&r);
#define GET_F64(f) p->f = get_f64(&r);
    PROGRESS_FIELDS(GET_U64, GET_U32, GET_F64)
    train_prune_defaults(&p->prune);
    if (version >= 2) {
        PRUNE_FIELDS(GET_U64, GET_F64)
    }
    p->processes = 1;
    p->subsequence = 0;
    uint64_t stored_carried = 0;
    if (version >= 3) {
        PROGRESS_FIELDS_3(GET_U64, GET_U32)
        stored_carried = get_u64(&r);
    }
    size_t moments = core->opt.floats * sizeof(float);
    const uint8_t *m = r.p, *v = r.p + moments;
    r.p = r.end - r.p >= (ptrdiff_t)(2 * moments) ? r.p + 2 * moments : r.end;
    bool has_mask = version >= 2 && get_u32(&r);
    size_t mask_bytes = has_mask ? core->opt.floats : 0;
    if (!r.ok || floats != core->opt.floats ||
        (size_t)(r.end - r.p) != mask_bytes + stored_carried * sizeof(float)) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX,
                 "%s: optimiser state of another model size or truncated", state_path);
        goto done;
    }
    if (stored_carried != (p->subsequence ? carried_floats : 0)) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX,
                 "%s: stopped inside a batch of another size or model", state_path);
        goto done;
    }
    memcpy(core->opt.m, m, moments);
    memcpy(core->opt.v, v, moments);
    if (has_mask && !core->mask && !train_prune_begin(core)) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "out of memory reading %s", state_path);
        goto done;
    }
    for (size_t i = 0; i < mask_bytes; i++) core->mask[i] = r.p[i] ? 1.0f : 0.0f;
    if (stored_carried) memcpy(carried, r.p + mask_bytes, stored_carried * sizeof(float));
    core->opt.step = step;
    core->opt.learning_rate = p->learning_rate;
    srnn_model *model = NULL;
    char detail[SRNN_ERROR_MAX];
    if (srnn_model_load(model_path, &model, detail) != SRNN_OK) {
        snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: %s", model_path, detail);
        goto done;
    }
    ok = train_core_load_params(core, model, detail);
    if (!ok) snprintf(error, TRAIN_CHECKPOINT_ERROR_MAX, "%s: %s", model_path, detail);
    srnn_model_free(model);
done:
    free(data);
    return ok;
}

/* The steps of run_dir's ckpt-STEP.srnn files, ascending; the count in *count. */
static uint64_t *list_steps(const char *run_dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(run_dir);
    if (!d) return NULL;
    uint64_t *steps = NULL;
    size_t capacity = 0;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        uint64_t step;
        char tail[8];
        if (sscanf(entry->d_name, "ckpt-%" SCNu64 ".%7s", &step, tail) != 2 ||
            strcmp(tail, "srnn") != 0)
            continue;
        if (*count == capacity) {
            capacity = capacity ? 2 * capacity : 16;
            uint64_t *grown = realloc(steps, capacity * sizeof *grown);
            if (!grown) break;
            steps = grown;
        }
        steps[(*count)++] = step;
    }
    closedir(d);
    for (size_t i = 1; i < *count; i++) /* insertion sort: a handful of files */
        for (size_t j = i; j > 0 && steps[j - 1] > steps[j]; j--) {
            uint64_t t = steps[j];
            steps[j] = steps[j - 1];
            steps[j - 1] = t;
        }
    return steps;
}

bool train_checkpoint_latest(const char *run_dir, uint64_t *step)
{
    size_t count;
    uint64_t *steps = list_steps(run_dir, &count);
    bool found = false;
    for (size_t i = count; i-- > 0 && !found;) {
        char model[TRAIN_PATH_MAX], state[TRAIN_PATH_MAX];
        train_checkpoint_paths(run_dir, steps[i], model, state);
        if (access(state, R_OK) == 0) {
            *step = steps[i];
            found = true;
        }
    }
    free(steps);
    return found;
}

bool train_checkpoint_any(const char *run_dir)
{
    size_t count;
    free(list_steps(run_dir, &count));
    return count > 0;
}

void train_remove_temporaries(const char *run_dir)
{
    DIR *d = opendir(run_dir);
    if (!d) return;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        const char *mark = strstr(entry->d_name, ".tmp-");
        if (!mark || strlen(mark) != strlen(".tmp-XXXXXX")) continue;
        char path[TRAIN_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", run_dir, entry->d_name);
        unlink(path);
    }
    closedir(d);
}

void train_checkpoint_sweep(const char *run_dir, uint64_t keep)
{
    size_t count;
    uint64_t *steps = list_steps(run_dir, &count);
    for (size_t i = 0; i + keep < count; i++) {
        char model[TRAIN_PATH_MAX], state[TRAIN_PATH_MAX];
        train_checkpoint_paths(run_dir, steps[i], model, state);
        unlink(state);
        unlink(model);
    }
    free(steps);
}
