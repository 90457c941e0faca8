/* What every srnn subcommand shares: the command table entry, exit codes, the one-line error
 * convention and strict parsing of options and numbers. */
#ifndef SRNN_CLI_H
#define SRNN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "srnn.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

/* One subcommand. run gets argv[0] = the command's name and returns the process exit code. */
typedef struct {
    const char *name;
    const char *summary; /* one line for srnn --help */
    const char *help;    /* the full text of srnn help NAME */
    int (*run)(int argc, char **argv);
} cli_command;

extern const cli_command cmd_render;
extern const cli_command cmd_eval;
extern const cli_command cmd_info;
extern const cli_command cmd_import;
extern const cli_command cmd_export;
extern const cli_command cmd_ckpt_ls;
extern const cli_command cmd_train;
extern const cli_command cmd_bench;
extern const cli_command cmd_convert;
extern const cli_command cmd_play;

/* Prints "srnn: MESSAGE" and a newline on stderr: the one line a failure gets. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Loads a model; on failure prints the loader's line and returns NULL. */
srnn_model *cli_load_model(const char *path);
/* The same with load options (NULL: the defaults). */
srnn_model *cli_load_model_with(const char *path, const srnn_load_options *options);

/* An option that takes a value: "--seconds 3", "--seconds=3", or "-o out.wav" with the alias. */
typedef struct {
    const char *name;  /* "--seconds" */
    const char *alias; /* "-o", or NULL */
    const char *value; /* set by cli_parse: the text given, NULL when the option is absent */
} cli_option;

/* Sorts argv[1..argc) into options and positional arguments ("--" ends the options). synopsis
 * (such as "MODEL AUDIO") names the positional arguments in the error for a wrong count.
 * Returns the number of positional arguments stored in positional, or -1 after printing one
 * line for an unknown or repeated option, a missing value or a wrong count. */
int cli_parse(int argc, char **argv, cli_option *options, size_t num_options,
              const char **positional, int min_positional, int max_positional,
              const char *synopsis);

/* Whether flag (an option without a value) is among argv[1..*argc) before any "--"; it is
 * taken out, so that cli_parse does not see it. */
int cli_take_flag(int *argc, char **argv, const char *flag);

/* The whole of text as a finite number, else one line naming option and -1. */
int cli_parse_double(const char *option, const char *text, double *value);

/* The whole of text as a decimal integer in [0, 2^64), else one line naming option and -1. */
int cli_parse_u64(const char *option, const char *text, uint64_t *value);

/* The whole of text as a decimal integer in [min, max], else one line naming option and -1. */
int cli_parse_u64_range(const char *option, const char *text, uint64_t min, uint64_t max,
                        uint64_t *value);

/* The whole of text as a number in (0, max], else one line naming option and -1; note (or
 * NULL) says what max stands for, as " (24 hours)". */
int cli_parse_positive(const char *option, const char *text, double max, const char *note,
                       double *value);

/* text as weights' precision: P, or P/S for the frame tiers' and the sample MLP's, each
 * float32, float16, bfloat16, int8 or int4; else one line naming command and -1. */
int cli_parse_precision(const char *command, const char *text, srnn_precision *precision,
                        srnn_precision *sample_precision);

#endif
