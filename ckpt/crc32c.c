/* CRC-32C, reflected polynomial 0x82f63b78, a byte at a time from a table built on first use.
 * Checkpoints are read once, far below the speed of disks, so one table is enough. */
#include "crc32c.h"

#include <pthread.h>

#define POLYNOMIAL 0x82f63b78u
#define MASK_DELTA 0xa282ead8u

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (crc & 1 ? POLYNOMIAL : 0);
        table[byte] = crc;
    }
}

uint32_t crc32c_extend(uint32_t crc, const void *data, size_t size) {
    pthread_once(&table_once, build_table);
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + MASK_DELTA; }

uint32_t crc32c_unmask(uint32_t masked) {
    uint32_t rotated = masked - MASK_DELTA;
    return (rotated >> 17) | (rotated << 15);
}
