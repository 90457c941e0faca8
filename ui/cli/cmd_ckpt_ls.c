/* srnn ckpt-ls: what a TensorFlow checkpoint holds, like TensorFlow's inspect_checkpoint: one
 * line per tensor with its dtype and shape, every checksum verified on the way. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_path.h"
#include "cli.h"
#include "tf_bundle.h"

/* The value of element i of a tensor of a plain number type, as a double; 0 when the type is
 * not one (stats are then left out). */
static int element(int dtype, const uint8_t *data, uint64_t i, double *value) {
    const uint8_t *p = data + i * tf_dtype_size(dtype);
    union {
        float f32;
        double f64;
        int8_t i8;
        int16_t i16;
        int32_t i32;
        int64_t i64;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;
    } v;
    size_t size = tf_dtype_size(dtype);
    if (size == 0 || size > sizeof v) return 0; /* strings, complex128 */
    memcpy(&v, p, size);
    switch (dtype) {
    case TF_FLOAT: *value = v.f32; return 1;
    case TF_DOUBLE: *value = v.f64; return 1;
    case TF_INT32: *value = v.i32; return 1;
    case TF_UINT8: *value = v.u8; return 1;
    case TF_INT16: *value = v.i16; return 1;
    case TF_INT8: *value = v.i8; return 1;
    case TF_INT64: *value = (double)v.i64; return 1;
    case TF_BOOL: *value = v.u8 != 0; return 1;
    case TF_UINT16: *value = v.u16; return 1;
    case TF_UINT32: *value = v.u32; return 1;
    case TF_UINT64: *value = (double)v.u64; return 1;
    default: return 0;
    }
}

static void print_stats(const tf_bundle_entry *e, const uint8_t *data) {
    double min = 0, max = 0, sum = 0, value;
    if (e->elements == 0 || !element(e->dtype, data, 0, &value)) return;
    min = max = value;
    for (uint64_t i = 0; i < e->elements; i++) {
        element(e->dtype, data, i, &value);
        if (value < min) min = value;
        if (value > max) max = value;
        sum += value;
    }
    printf("  min %.9g max %.9g mean %.9g", min, max, sum / (double)e->elements);
}

static void print_entry(const tf_bundle_entry *e, int name_width, const uint8_t *data) {
    char dtype[16], shape[16 * TF_BUNDLE_MAX_DIMS + 3];
    size_t n = 0;
    shape[n++] = '[';
    for (int i = 0; i < e->ndim; i++)
        n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%lld", i ? "," : "",
                              (long long)e->shape[i]);
    snprintf(shape + n, sizeof shape - n, "]");
    printf("%-*s  %-8s %s%s", name_width, e->name, tf_dtype_name(e->dtype, dtype), shape,
           e->num_slices ? " (partitioned)" : "");
    if (data) print_stats(e, data);
    putchar('\n');
}

/* Prints every tensor; reads each (which verifies its CRC-32C) unless index_only. 0, or -1
 * after printing the error. */
static int list(const tf_bundle *bundle, int index_only, int stats) {
    int width = 0;
    for (size_t i = 0; i < tf_bundle_count(bundle); i++) {
        int n = (int)strlen(tf_bundle_entry_at(bundle, i)->name);
        if (n > width) width = n;
    }
    /* verified first, so that a bad checkpoint prints no listing, only its error */
    for (int pass = index_only ? 1 : 0; pass < 2; pass++) {
        for (size_t i = 0; i < tf_bundle_count(bundle); i++) {
            const tf_bundle_entry *e = tf_bundle_entry_at(bundle, i);
            uint8_t *data = NULL;
            if (!index_only && !e->num_slices && (pass == 0 || stats)) {
                char error[CKPT_ERROR_MAX];
                data = malloc(e->size ? (size_t)e->size : 1);
                if (!data) {
                    cli_error("out of memory for tensor '%s'", e->name);
                    return -1;
                }
                if (tf_bundle_read(bundle, e, data, error) != SRNN_OK) {
                    cli_error("%s", error);
                    free(data);
                    return -1;
                }
            }
            if (pass == 1) print_entry(e, width, data);
            free(data);
        }
    }
    return 0;
}

static int ckpt_ls_run(int argc, char **argv) {
    /* the options take no value: taken out before parsing */
    int index_only = 0, stats = 0, kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc) argv[kept++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--index-only") == 0)
            index_only = 1;
        else if (strcmp(argv[i], "--stats") == 0)
            stats = 1;
        else
            argv[kept++] = argv[i];
    }
    if (index_only && stats) {
        cli_error("ckpt-ls: --stats needs the data, --index-only does not read it");
        return CLI_EXIT_USAGE;
    }
    const char *positional[1];
    if (cli_parse(kept, argv, NULL, 0, positional, 1, 1, "[--index-only | --stats] CHECKPOINT") < 0)
        return CLI_EXIT_USAGE;
    char error[CKPT_ERROR_MAX], *prefix;
    tf_bundle *bundle = NULL;
    if (ckpt_resolve(positional[0], &prefix, error) != SRNN_OK ||
        tf_bundle_open(prefix, &bundle, error) != SRNN_OK) {
        cli_error("%s", error);
        return CLI_EXIT_ERROR;
    }
    free(prefix);
    int status = list(bundle, index_only, stats) < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    if (status == CLI_EXIT_OK)
        printf("%zu tensors in %u data shard%s; %s\n", tf_bundle_count(bundle),
               tf_bundle_num_shards(bundle), tf_bundle_num_shards(bundle) == 1 ? "" : "s",
               index_only ? "index checksums verified, tensor data not read"
                          : "every checksum verified");
    tf_bundle_close(bundle);
    return status;
}

const cli_command cmd_ckpt_ls = {
    "ckpt-ls",
    "list a TensorFlow checkpoint's tensors",
    "usage: srnn ckpt-ls [--index-only | --stats] CHECKPOINT\n"
    "\n"
    "Lists the tensors of a TensorFlow checkpoint (such as a PRiSM SampleRNN one), one per\n"
    "line: name, dtype, shape. CHECKPOINT is the prefix (run/model.ckpt-12), its .index file,\n"
    "or a run directory whose 'checkpoint' file names the latest. Every tensor is read and its\n"
    "CRC-32C verified first; a missing shard or a bad checksum is an error.\n"
    "\n"
    "  --index-only  read only the .index file (its block checksums are still verified)\n"
    "  --stats       add each number tensor's min, max and mean\n",
    ckpt_ls_run,
};
