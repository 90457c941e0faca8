/* CRC-32C (Castagnoli), the checksum of TensorFlow's checkpoints and LevelDB tables, and the
 * "masking" those formats store it with (a CRC of data that embeds CRCs is weak otherwise). */
#ifndef CKPT_CRC32C_H
#define CKPT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of data appended to data whose CRC was crc (0 to start). */
uint32_t crc32c_extend(uint32_t crc, const void *data, size_t size);

/* What the formats store: the CRC rotated right by 15 bits plus a constant. */
uint32_t crc32c_mask(uint32_t crc);
uint32_t crc32c_unmask(uint32_t masked);

#endif
