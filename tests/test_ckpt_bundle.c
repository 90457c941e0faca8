/* TensorFlow tensor bundles (ckpt/tf_bundle.h): written and read back (every dtype class,
 * scalars, empty tensors, a string holding NUL bytes); damaged data shards (a flipped bit, a
 * truncation, a missing shard) and hostile index entries refused with one line naming the
 * problem; the ways a user names a checkpoint (ckpt_path.h); and the fuzzer's seeds, which
 * must be valid indexes. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ckpt_path.h"
#include "proto_wire.h"
#include "tf_bundle.h"
#include "tf_table.h"

static char dir[64];

static void path_in(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}

/* ---- Round trip ---------------------------------------------------------------------------- */

static float weights[3][4];
static const int64_t weights_shape[] = {3, 4}, empty_shape[] = {2, 0, 3}, counts_shape[] = {5};
static const int32_t counts[5] = {1, -2, 3, -4, 2147483647};
static const int64_t step = -9000000000LL;
static const char text[] = "metadata\0with a NUL\n";

static const tf_bundle_tensor tensors[] = {
    {"weights/kernel", TF_FLOAT, 2, weights_shape, weights, sizeof weights},
    {"step", TF_INT64, 0, NULL, &step, sizeof step},
    {"_text", TF_STRING, 0, NULL, text, sizeof text - 1},
    {"empty", TF_FLOAT, 3, empty_shape, "", 0},
    {"counts", TF_INT32, 1, counts_shape, counts, sizeof counts},
};
enum { NUM_TENSORS = sizeof tensors / sizeof *tensors };

static void test_round_trip(const char *prefix) {
    for (int i = 0; i < 12; i++) weights[i / 4][i % 4] = (float)i * 0.37f - 1.5f;
    char error[CKPT_ERROR_MAX] = "";
    CHECK(tf_bundle_write(prefix, tensors, NUM_TENSORS, error) == SRNN_OK, "write: %s", error);
    tf_bundle *b = NULL;
    CHECK(tf_bundle_open(prefix, &b, error) == SRNN_OK, "open: %s", error);
    if (!b) return;
    CHECK(tf_bundle_count(b) == NUM_TENSORS && tf_bundle_num_shards(b) == 1,
          "%zu tensors in %u shards", tf_bundle_count(b), tf_bundle_num_shards(b));
    for (size_t i = 1; i < tf_bundle_count(b); i++)
        CHECK(strcmp(tf_bundle_entry_at(b, i - 1)->name, tf_bundle_entry_at(b, i)->name) < 0,
              "not in key order at %zu", i);
    for (size_t i = 0; i < NUM_TENSORS; i++) {
        const tf_bundle_tensor *t = &tensors[i];
        const tf_bundle_entry *e = tf_bundle_find(b, t->name);
        CHECK(e && e->dtype == t->dtype && e->ndim == t->ndim, "%s: entry", t->name);
        if (!e) continue;
        for (int d = 0; d < t->ndim; d++)
            CHECK(e->shape[d] == t->shape[d], "%s: dim %d is %lld", t->name, d,
                  (long long)e->shape[d]);
        uint8_t *data = malloc(e->size + 1);
        CHECK(tf_bundle_read(b, e, data, error) == SRNN_OK, "%s: read: %s", t->name, error);
        if (t->dtype != TF_STRING)
            CHECK(e->size == t->size && memcmp(data, t->data, t->size) == 0, "%s: data differ",
                  t->name);
        free(data);
    }
    const tf_bundle_entry *e = tf_bundle_find(b, "_text");
    char *got = NULL;
    size_t size = 0;
    CHECK(e && tf_bundle_read_string(b, e, &got, &size, error) == SRNN_OK &&
              size == sizeof text - 1 && memcmp(got, text, size) == 0 && got[size] == '\0',
          "string read back wrong: %s", error);
    free(got);
    CHECK(!tf_bundle_find(b, "weights") && !tf_bundle_find(b, "") && !tf_bundle_find(b, "zz"),
          "found a tensor that is not there");
    CHECK(tf_bundle_read_string(b, tf_bundle_find(b, "step"), &got, &size, error) ==
              SRNN_ERR_TENSOR,
          "an int64 read as a string");
    tf_bundle_close(b);
}

/* ---- Damaged data shards ----------------------------------------------------------------- */

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int c;
    while (in && out && (c = fgetc(in)) != EOF) fputc(c, out);
    if (in) fclose(in);
    if (out) fclose(out);
}

static void flip_byte(const char *path, long at) {
    FILE *f = fopen(path, "r+b");
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
}

/* Reads every tensor; the status of the first failure (its error in error), else SRNN_OK. */
static srnn_status read_all(const char *prefix, char *error) {
    tf_bundle *b = NULL;
    srnn_status status = tf_bundle_open(prefix, &b, error);
    for (size_t i = 0; status == SRNN_OK && i < tf_bundle_count(b); i++) {
        const tf_bundle_entry *e = tf_bundle_entry_at(b, i);
        uint8_t *data = malloc(e->size + 1);
        status = tf_bundle_read(b, e, data, error);
        free(data);
    }
    tf_bundle_close(b);
    return status;
}

static void test_damaged_data(const char *prefix) {
    char shard[320], saved[320], error[CKPT_ERROR_MAX];
    snprintf(shard, sizeof shard, "%s.data-00000-of-00001", prefix);
    path_in(saved, sizeof saved, "saved-shard");
    copy_file(shard, saved);
    long size = file_size(shard);
    CHECK(read_all(prefix, error) == SRNN_OK, "intact bundle: %s", error);
    for (long at = 0; at < size; at++) {
        flip_byte(shard, at);
        srnn_status status = read_all(prefix, error);
        flip_byte(shard, at);
        CHECK(status == SRNN_ERR_CHECKSUM && one_line(error) && strstr(error, "tensor '"),
              "byte %ld of the shard flipped: status %d, '%s'", at, status, error);
    }
    CHECK(truncate(shard, size - 1) == 0, "truncate");
    CHECK(read_all(prefix, error) == SRNN_ERR_TRUNCATED && strstr(error, "is truncated"),
          "truncated shard: '%s'", error);
    CHECK(unlink(shard) == 0, "unlink");
    CHECK(read_all(prefix, error) == SRNN_ERR_IO && strstr(error, "missing data shard"),
          "missing shard: '%s'", error);
    copy_file(saved, shard);
    CHECK(read_all(prefix, error) == SRNN_OK, "restored bundle: %s", error);
}

/* ---- Hostile index entries ------------------------------------------------------------- */

/* A BundleEntryProto of a float [2] tensor with the given fields changed. */
static void entry_proto(byte_buffer *out, uint64_t dtype, int64_t dim, uint64_t shard,
                        uint64_t size) {
    byte_buffer shape = {0}, d = {0};
    pb_put_varint_field(&d, 1, (uint64_t)dim);
    pb_put_bytes_field(&shape, 2, d.data, d.size);
    pb_put_varint_field(out, 1, dtype);
    pb_put_bytes_field(out, 2, shape.data, shape.size);
    pb_put_varint_field(out, 3, shard);
    pb_put_varint_field(out, 5, size);
    buffer_free(&shape);
    buffer_free(&d);
}

/* Opens an index of a header and one entry; the status, with error filled. */
static srnn_status open_with(const byte_buffer *header, const byte_buffer *entry,
                             const char *name, char *error) {
    tf_table_entry entries[2] = {{"", 0, header->data, header->size}, {name, strlen(name), 0, 0}};
    if (entry) {
        entries[1].value = entry->data;
        entries[1].value_size = entry->size;
    }
    byte_buffer index = {0};
    tf_table_build(entries, entry ? 2 : 1, 4096, 16, &index, error);
    tf_bundle *b = NULL;
    srnn_status status = tf_bundle_open_index(index.data, index.size, &b, error);
    tf_bundle_close(b);
    buffer_free(&index);
    return status;
}

static void test_hostile_entries(void) {
    byte_buffer header = {0}, version = {0}, entry = {0};
    pb_put_varint_field(&header, 1, 2); /* two shards */
    char error[CKPT_ERROR_MAX];
    entry_proto(&entry, TF_FLOAT, 2, 1, 8);
    CHECK(open_with(&header, &entry, "ok", error) == SRNN_OK, "a good entry: %s", error);

    struct {
        uint64_t dtype;
        int64_t dim;
        uint64_t shard, size;
        const char *expect;
    } bad[] = {
        {TF_FLOAT, 2, 2, 8, "shard 2 of 2"},
        {TF_FLOAT, 2, 0, 12, "12 bytes for 2 elements of float32"},
        {0, 2, 0, 8, "no dtype"},
        {TF_FLOAT, -1, 0, 8, "malformed entry"},
        {TF_FLOAT, 1LL << 62, 0, 8, "bytes for"},
        {100000, 2, 0, 8, "malformed entry"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        entry.size = 0;
        entry_proto(&entry, bad[i].dtype, bad[i].dim, bad[i].shard, bad[i].size);
        srnn_status status = open_with(&header, &entry, "t", error);
        CHECK(status == SRNN_ERR_FORMAT && strstr(error, bad[i].expect) && one_line(error),
              "bad entry %zu: status %d, '%s'", i, status, error);
    }
    entry.size = 0;
    entry_proto(&entry, TF_FLOAT, 2, 0, 8);
    byte_buffer shape = {0}, d = {0}; /* 33 dimensions */
    pb_put_varint_field(&d, 1, 1);
    for (int i = 0; i < 33; i++) pb_put_bytes_field(&shape, 2, d.data, d.size);
    pb_put_bytes_field(&entry, 2, shape.data, shape.size);
    CHECK(open_with(&header, &entry, "t", error) == SRNN_ERR_FORMAT, "33 dimensions accepted");
    entry.size = 0;
    entry_proto(&entry, TF_FLOAT, 2, 0, 8);
    entry.data[entry.size - 1] = 0x80; /* a varint cut short */
    CHECK(open_with(&header, &entry, "t", error) == SRNN_ERR_FORMAT &&
              strstr(error, "malformed entry"),
          "cut entry: '%s'", error);
    entry.size = 0;
    entry_proto(&entry, TF_FLOAT, 2, 0, 8);
    tf_table_entry with_nul[] = {{"", 0, header.data, header.size}, {"a\0b", 3, entry.data, 8}};
    with_nul[1].value_size = entry.size;
    byte_buffer table = {0};
    tf_table_build(with_nul, 2, 4096, 16, &table, error);
    tf_bundle *nul = NULL;
    CHECK(tf_bundle_open_index(table.data, table.size, &nul, error) == SRNN_ERR_FORMAT &&
              strstr(error, "control character 0") && !nul,
          "a NUL in a name: '%s'", error);
    buffer_free(&table);

    byte_buffer other = {0};
    pb_put_varint_field(&other, 2, 1); /* big-endian */
    CHECK(open_with(&other, NULL, "", error) == SRNN_ERR_FORMAT && strstr(error, "big-endian"),
          "big-endian header: '%s'", error);
    other.size = 0;
    pb_put_varint_field(&version, 2, 2); /* min_consumer 2 */
    pb_put_varint_field(&other, 1, 1);
    pb_put_bytes_field(&other, 3, version.data, version.size);
    CHECK(open_with(&other, NULL, "", error) == SRNN_ERR_VERSION, "min_consumer 2: '%s'", error);
    other.size = 0;
    CHECK(open_with(&other, NULL, "", error) == SRNN_ERR_FORMAT && strstr(error, "0 data shards"),
          "no shards: '%s'", error);
    /* no header at all: the first key is a tensor's */
    tf_table_entry only[] = {{"t", 1, entry.data, entry.size}};
    byte_buffer index = {0};
    tf_table_build(only, 1, 4096, 16, &index, error);
    tf_bundle *b = NULL;
    CHECK(tf_bundle_open_index(index.data, index.size, &b, error) == SRNN_ERR_FORMAT &&
              strstr(error, "no bundle header") && !b,
          "headerless index: '%s'", error);
    buffer_free(&index);
    buffer_free(&header);
    buffer_free(&version);
    buffer_free(&entry);
    buffer_free(&shape);
    buffer_free(&d);
    buffer_free(&other);
}

/* ---- Naming a checkpoint -------------------------------------------------------------- */

static void write_text(const char *path, const char *contents) {
    FILE *f = fopen(path, "w");
    fputs(contents, f);
    fclose(f);
}

static void expect_prefix(const char *path, const char *want) {
    char *prefix = NULL, error[CKPT_ERROR_MAX] = "";
    srnn_status status = ckpt_resolve(path, &prefix, error);
    CHECK(status == SRNN_OK && prefix && strcmp(prefix, want) == 0, "%s resolved to %s (%s)",
          path, prefix ? prefix : "nothing", error);
    free(prefix);
}

static void expect_refusal(const char *path, const char *message) {
    char *prefix = NULL, error[CKPT_ERROR_MAX] = "";
    srnn_status status = ckpt_resolve(path, &prefix, error);
    CHECK(status != SRNN_OK && !prefix && strstr(error, message) && one_line(error),
          "%s: status %d, '%s'", path, status, error);
}

static void test_resolve(const char *prefix) {
    char path[320], state[320], moved[400];
    expect_prefix(prefix, prefix);
    snprintf(path, sizeof path, "%s.index", prefix);
    expect_prefix(path, prefix);
    snprintf(path, sizeof path, "%s.data-00000-of-00001", prefix);
    expect_prefix(path, prefix);
    snprintf(path, sizeof path, "%s.data-0-of-1", prefix);
    expect_refusal(path, "is missing");
    snprintf(path, sizeof path, "%s-7", prefix);
    expect_refusal(path, "is missing");

    path_in(state, sizeof state, "checkpoint");
    expect_refusal(dir, "without a 'checkpoint' file");
    write_text(state, "model_checkpoint_path: \"ckpt\"\nall_model_checkpoint_paths: \"ckpt\"\n");
    expect_prefix(dir, prefix);
    snprintf(path, sizeof path, "%s/", dir);
    expect_prefix(path, prefix);
    /* an absolute path from another machine: the checkpoint is looked for beside the file */
    write_text(state, "model_checkpoint_path: \"/elsewhere/run/ckpt\"\n");
    expect_prefix(dir, prefix);
    snprintf(moved, sizeof moved, "model_checkpoint_path: \"%s\"\n", prefix);
    write_text(state, moved);
    expect_prefix(dir, prefix);
    write_text(state, "model_checkpoint_path: \"c\\153pt\"\n"); /* octal escape: k */
    expect_prefix(dir, prefix);
    write_text(state, "all_model_checkpoint_paths: \"ckpt\"\n");
    expect_refusal(dir, "names no model_checkpoint_path");
    write_text(state, "model_checkpoint_path: \"ckpt\n");
    expect_refusal(dir, "cannot read its model_checkpoint_path");
    write_text(state, "model_checkpoint_path: \"ck\\000pt\"\n");
    expect_refusal(dir, "cannot read its model_checkpoint_path");
    write_text(state, "model_checkpoint_path: \"model.ckpt-9\"\n");
    expect_refusal(dir, "names the latest checkpoint 'model.ckpt-9'");
    unlink(state);
}

/* ---- The fuzzer's seeds --------------------------------------------------------------- */

static void test_seeds(void) {
    const char *seeds = "tests/fuzz/ckpt_seeds";
    DIR *d = opendir(seeds);
    CHECK(d, "cannot open %s", seeds);
    size_t opened = 0;
    for (struct dirent *f; d && (f = readdir(d));) {
        if (f->d_name[0] == '.') continue;
        char path[512], error[CKPT_ERROR_MAX] = "";
        snprintf(path, sizeof path, "%s/%s", seeds, f->d_name);
        FILE *file = fopen(path, "rb");
        static uint8_t index[1 << 16];
        size_t size = file ? fread(index, 1, sizeof index, file) : 0;
        if (file) fclose(file);
        tf_bundle *b = NULL;
        CHECK(tf_bundle_open_index(index, size, &b, error) == SRNN_OK && tf_bundle_count(b) > 20,
              "seed %s: %s", path, error);
        opened += b != NULL;
        tf_bundle_close(b);
    }
    if (d) closedir(d);
    CHECK(opened >= 3, "%zu seeds open", opened);
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/ckpt-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char prefix[256], command[512];
    path_in(prefix, sizeof prefix, "ckpt");
    test_round_trip(prefix);
    test_damaged_data(prefix);
    test_hostile_entries();
    test_resolve(prefix);
    test_seeds();
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) printf("could not remove %s\n", dir);
    return check_summary();
}
