/* srnn_quantise on each golden case's audio against the PyTorch reference's quantisation
 * (mu-law and linear, as PRiSM's utils.py), and srnn_dequantise against the closed forms. */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

static int check_case(const char *dir, const char *name)
{
    srnn_model *model = golden_load_model(dir, name);
    if (!CHECK(model, "%s: cannot load", name)) return 1;
    const srnn_config *config = srnn_model_config(model);
    size_t size = 0;
    int32_t *expected = golden_read(dir, name, ".q.i32", &size);
    size_t n = size / sizeof *expected;

    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wav", dir, name);
    SF_INFO info = {0};
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    float *audio = file ? malloc((size_t)info.frames * sizeof *audio) : NULL;
    int read = CHECK(expected && audio && info.channels == 1 && (size_t)info.frames >= n &&
                         sf_readf_float(file, audio, info.frames) == info.frames,
                     "%s: cannot read the golden audio or targets", name);
    size_t mismatches = 0;
    for (size_t i = 0; read && i < n; i++) {
        int32_t q = srnn_quantise(config, audio[i]);
        if (q != expected[i] && mismatches++ < 5)
            printf("%s: sample %zu (%.9g) quantised to %d, reference %d\n", name, i,
                   (double)audio[i], q, expected[i]);
    }
    if (read)
        CHECK_SHOW(mismatches == 0, "%-12s %zu samples, %zu quantised unlike the reference", name,
                   n, mismatches);
    if (file) sf_close(file);
    free(audio);
    free(expected);
    srnn_model_free(model);
    return 0;
}

/* Decoding follows PRiSM's formulas; checked at a few levels in double precision. */
static void check_dequantise(void)
{
    srnn_config mulaw = {.q_type = SRNN_Q_MULAW, .q_levels = 256};
    srnn_config linear = {.q_type = SRNN_Q_LINEAR, .q_levels = 512};
    char what[64];
    for (int q = 0; q < 256; q += 17) {
        double s = 2.0 * q / 255.0 - 1.0;
        double expected = (s > 0 ? 1 : s < 0 ? -1 : 0) * (pow(256.0, fabs(s)) - 1.0) / 255.0;
        snprintf(what, sizeof what, "mu-law dequantise(%d)", q);
        check_close(what, srnn_dequantise(&mulaw, q), expected, 1e-6);
    }
    for (int q = 0; q < 512; q += 31) {
        snprintf(what, sizeof what, "linear dequantise(%d)", q);
        check_close(what, srnn_dequantise(&linear, q), q / 256.0 - 1.0, 1e-6);
    }
    CHECK(srnn_dequantise(&mulaw, 128) > 0.0f && srnn_dequantise(&linear, 256) == 0.0f,
          "the middle level decodes to %g (mu-law), %g (linear)",
          (double)srnn_dequantise(&mulaw, 128), (double)srnn_dequantise(&linear, 256));
    CHECK(srnn_quantise(&mulaw, 0.0f) == 128 && srnn_quantise(&mulaw, 5.0f) == 255 &&
              srnn_quantise(&mulaw, -5.0f) == 0 && srnn_quantise(&linear, 2.0f) == 511 &&
              srnn_quantise(&linear, -2.0f) == 0 && srnn_quantise(&linear, NAN) == 256,
          "clamping: 0, 5, -5 quantised to %d %d %d (mu-law); 2, -2, NaN to %d %d %d (linear)",
          srnn_quantise(&mulaw, 0.0f), srnn_quantise(&mulaw, 5.0f), srnn_quantise(&mulaw, -5.0f),
          srnn_quantise(&linear, 2.0f), srnn_quantise(&linear, -2.0f),
          srnn_quantise(&linear, NAN));
}

int main(void)
{
    CHECK(golden_each_case(golden_dir(), check_case) == 0, "the golden cases (%s)", golden_dir());
    check_dequantise();
    return check_summary();
}
