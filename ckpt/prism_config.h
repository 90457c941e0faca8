/* PRiSM's model configuration file (*.config.json): seq_len, frame_sizes [F, BF], dim,
 * rnn_type, num_rnn_layers, q_type, q_levels, emb_size, skip_conn. PRiSM takes the sample
 * rate from a command-line flag; our files add it as "sample_rate", which PRiSM ignores. */
#ifndef CKPT_PRISM_CONFIG_H
#define CKPT_PRISM_CONFIG_H

#include "ckpt_error.h"
#include "srnn.h"

#define PRISM_DEFAULT_SAMPLE_RATE 16000 /* PRiSM's train.py and generate.py default */

/* Reads and checks a config. For mu-law, q_levels is 256 whatever the file says, as PRiSM's
 * train.py forces it. Absent: sample_rate (16000), emb_size (256), skip_conn (false). */
srnn_status prism_config_read(const char *path, srnn_config *config,
                              char error[CKPT_ERROR_MAX]);

/* Writes a config PRiSM reads (with sample_rate), atomically. */
srnn_status prism_config_write(const char *path, const srnn_config *config,
                               char error[CKPT_ERROR_MAX]);

#endif
