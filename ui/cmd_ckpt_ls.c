/* srnn ckpt-ls: what a TensorFlow checkpoint holds, like TensorFlow's inspect_checkpoint: one
 * line per tensor with its dtype and shape, every checksum verified on the way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_path.h"
#include "cli.h"
#include "tf_bundle.h"

static void print_entry(const tf_bundle_entry *e, int name_width) {
    char dtype[16], shape[16 * TF_BUNDLE_MAX_DIMS + 3];
    size_t n = 0;
    shape[n++] = '[';
    for (int i = 0; i < e->ndim; i++)
        n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%lld", i ? "," : "",
                              (long long)e->shape[i]);
    snprintf(shape + n, sizeof shape - n, "]");
    printf("%-*s  %-8s %s%s\n", name_width, e->name, tf_dtype_name(e->dtype, dtype), shape,
           e->num_slices ? " (partitioned)" : "");
}

/* Reads every tensor, which verifies its CRC-32C; 0, or -1 after printing the error. */
static int verify_all(const tf_bundle *bundle) {
    char error[CKPT_ERROR_MAX];
    for (size_t i = 0; i < tf_bundle_count(bundle); i++) {
        const tf_bundle_entry *e = tf_bundle_entry_at(bundle, i);
        if (e->num_slices) continue;
        void *data = malloc(e->size ? (size_t)e->size : 1);
        if (!data) {
            cli_error("out of memory for tensor '%s'", e->name);
            return -1;
        }
        srnn_status status = tf_bundle_read(bundle, e, data, error);
        free(data);
        if (status != SRNN_OK) {
            cli_error("%s", error);
            return -1;
        }
    }
    return 0;
}

static int ckpt_ls_run(int argc, char **argv) {
    /* --index-only is the one option and takes no value: taken out before parsing */
    int index_only = 0, kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc) argv[kept++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--index-only") == 0)
            index_only = 1;
        else
            argv[kept++] = argv[i];
    }
    const char *positional[1];
    if (cli_parse(kept, argv, NULL, 0, positional, 1, 1, "[--index-only] CHECKPOINT") < 0)
        return CLI_EXIT_USAGE;
    char error[CKPT_ERROR_MAX], *prefix;
    tf_bundle *bundle = NULL;
    if (ckpt_resolve(positional[0], &prefix, error) != SRNN_OK ||
        tf_bundle_open(prefix, &bundle, error) != SRNN_OK) {
        cli_error("%s", error);
        return CLI_EXIT_ERROR;
    }
    free(prefix);
    int status = CLI_EXIT_OK;
    if (!index_only && verify_all(bundle) < 0) status = CLI_EXIT_ERROR;
    if (status == CLI_EXIT_OK) {
        int width = 0;
        for (size_t i = 0; i < tf_bundle_count(bundle); i++) {
            int n = (int)strlen(tf_bundle_entry_at(bundle, i)->name);
            if (n > width) width = n;
        }
        for (size_t i = 0; i < tf_bundle_count(bundle); i++)
            print_entry(tf_bundle_entry_at(bundle, i), width);
        printf("%zu tensors in %u data shard%s; %s\n", tf_bundle_count(bundle),
               tf_bundle_num_shards(bundle), tf_bundle_num_shards(bundle) == 1 ? "" : "s",
               index_only ? "index checksums verified, tensor data not read"
                          : "every checksum verified");
    }
    tf_bundle_close(bundle);
    return status;
}

const cli_command cmd_ckpt_ls = {
    "ckpt-ls",
    "list a TensorFlow checkpoint's tensors",
    "usage: srnn ckpt-ls [--index-only] CHECKPOINT\n"
    "\n"
    "Lists the tensors of a TensorFlow checkpoint (such as a PRiSM SampleRNN one), one per\n"
    "line: name, dtype, shape. CHECKPOINT is the prefix (run/model.ckpt-12), its .index file,\n"
    "or a run directory whose 'checkpoint' file names the latest. Every tensor is read and its\n"
    "CRC-32C verified first; a missing shard or a bad checksum is an error.\n"
    "\n"
    "  --index-only  read only the .index file (its block checksums are still verified)\n",
    ckpt_ls_run,
};
