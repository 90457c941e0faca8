/* The helper thread (engine/helper.h): shared products equal products computed alone, bit for
 * bit, in every dtype and for every range of blocks, however the blocks fall between the
 * threads; and the helper does take part (some of its results are used). Many products in a
 * row, with inputs changing between them, as a voice does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "helper.h"

enum { IN = 300, OUT = 900, PRODUCTS = 3000 };

static uint64_t state = 7;
static float uniform(void)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((state >> 40) / 16777216.0) * 2.0f - 1.0f;
}

int main(void)
{
    const srnn_kernels *k = srnn_kernels_get(SRNN_CPU_AUTO);
    uint32_t blocks = (OUT + SRNN_BLOCK - 1) / SRNN_BLOCK;
    srnn_helper *helper = srnn_helper_start(k, IN, blocks);
    if (!helper) {
        printf("FAIL: cannot start the helper\n");
        return 1;
    }
    srnn_exec shared = {k, helper};
    static float x[IN], y1[16 * SRNN_BLOCK], y2[16 * SRNN_BLOCK];
    /* the matrices outlive the helper, as a model outlives its voices: a late helper may
     * still read a block the audio thread took back */
    uint8_t *data[4];
    float *scale = malloc(blocks * SRNN_BLOCK * sizeof *scale);
    for (size_t i = 0; i < blocks * SRNN_BLOCK; i++) scale[i] = 0.01f;
    int failures = 0;
    for (int dtype = 0; dtype < 4; dtype++) {
        size_t rows = (IN + 3) / 4 * 4, size = rows * blocks * SRNN_BLOCK * srnn_dtype_size(dtype);
        data[dtype] = malloc(size);
        for (size_t i = 0; i < size; i++) data[dtype][i] = (uint8_t)(uniform() * 100); /* finite in every dtype */
        srnn_matrix w = {IN, OUT, blocks, (srnn_dtype)dtype, data[dtype],
                         dtype == SRNN_DTYPE_I8 ? scale : NULL};
        int same = 1;
        for (int n = 0; n < PRODUCTS; n++) {
            for (int i = 0; i < IN; i++) x[i] = uniform();
            for (int o = 0; o < 16 * SRNN_BLOCK; o++) y1[o] = y2[o] = uniform();
            uint32_t begin = (uint32_t)(n % 3), end = blocks - (uint32_t)(n % 2);
            k->gemv(&w, x, y1, begin, end);
            srnn_exec_gemv(&shared, &w, x, y2, begin, end);
            same &= memcmp(y1, y2, sizeof y1) == 0;
        }
        printf("dtype %d: %d shared products %s\n", dtype, PRODUCTS,
               same ? "equal the products alone bit for bit" : "DIFFER (FAIL)");
        failures += !same;
    }
    uint64_t taken, stolen;
    srnn_helper_counts(helper, &taken, &stolen);
    printf("blocks taken from the helper: %llu, stolen back: %llu %s\n", (unsigned long long)taken,
           (unsigned long long)stolen, taken > 0 ? "ok" : "(the helper never helped: FAIL)");
    failures += taken == 0;
    srnn_helper_stop(helper);
    for (int dtype = 0; dtype < 4; dtype++) free(data[dtype]);
    free(scale);
    printf("%d checks failed\n", failures);
    return failures != 0;
}
