/* What checkpoint a user means. PRiSM's users pass any of: the prefix (run/model.ckpt-12),
 * the index (run/model.ckpt-12.index), a data shard, or the run directory, whose `checkpoint`
 * file (a text proto) names the latest checkpoint. */
#ifndef CKPT_PATH_H
#define CKPT_PATH_H

#include "ckpt_error.h"

/* The prefix (allocated) of the checkpoint path means, once PREFIX.index is known to exist. */
srnn_status ckpt_resolve(const char *path, char **prefix, char error[CKPT_ERROR_MAX]);

#endif
