/* Option and number parsing shared by the subcommands. Strict on purpose: a typo in a flag or
 * a number must stop the tool with one clear line, not be half-read and ignored. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("srnn: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

srnn_model *cli_load_model(const char *path) { return cli_load_model_with(path, NULL); }

srnn_model *cli_load_model_with(const char *path, const srnn_load_options *options) {
    srnn_model *model = NULL;
    char error[SRNN_ERROR_MAX] = "";
    srnn_status status = srnn_model_load_with(path, options, &model, error);
    if (status != SRNN_OK) {
        cli_error("%s: %s", path, error[0] ? error : srnn_status_string(status));
        return NULL;
    }
    return model;
}

/* The option arg names, and where its "=value" starts (NULL when the value is the next arg). */
static cli_option *find_option(cli_option *options, size_t num_options, const char *arg,
                               const char **inline_value) {
    for (size_t i = 0; i < num_options; i++) {
        size_t len = strlen(options[i].name);
        *inline_value = NULL;
        if (strncmp(arg, options[i].name, len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
            if (arg[len] == '=') *inline_value = arg + len + 1;
            return &options[i];
        }
        if (options[i].alias && strcmp(arg, options[i].alias) == 0) return &options[i];
    }
    return NULL;
}

int cli_parse(int argc, char **argv, cli_option *options, size_t num_options,
              const char **positional, int min_positional, int max_positional,
              const char *synopsis) {
    const char *command = argv[0];
    int count = 0;
    int only_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_positional && strcmp(arg, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (!only_positional && arg[0] == '-' && arg[1] != '\0') {
            const char *value;
            cli_option *option = find_option(options, num_options, arg, &value);
            if (!option) {
                cli_error("%s: unknown option '%s' (see srnn help %s)", command, arg, command);
                return -1;
            }
            if (option->value) {
                cli_error("%s: option %s given twice", command, option->name);
                return -1;
            }
            if (!value) {
                if (i + 1 >= argc) {
                    cli_error("%s: option %s needs a value", command, arg);
                    return -1;
                }
                value = argv[++i];
            }
            option->value = value;
            continue;
        }
        if (count == max_positional) {
            cli_error("%s: unexpected argument '%s' (usage: srnn %s %s)", command, arg, command,
                      synopsis);
            return -1;
        }
        positional[count++] = arg;
    }
    if (count < min_positional) {
        cli_error("%s: missing arguments (usage: srnn %s %s)", command, command, synopsis);
        return -1;
    }
    return count;
}

int cli_parse_double(const char *option, const char *text, double *value) {
    char *end;
    double v = strtod(text, &end);
    /* strtod skips leading blanks and stops at the first bad character: demand the whole text. */
    if (text[0] == '\0' || isspace((unsigned char)text[0]) || *end != '\0') {
        cli_error("%s: '%s' is not a number", option, text);
        return -1;
    }
    if (!isfinite(v)) { /* "nan", "inf", or an overflow to infinity */
        cli_error("%s: '%s' is not a finite number", option, text);
        return -1;
    }
    *value = v;
    return 0;
}

int cli_parse_u64(const char *option, const char *text, uint64_t *value) {
    char *end;
    errno = 0;
    /* strtoull accepts blanks and a minus sign (wrapping "-1" to 2^64-1): demand digits only. */
    unsigned long long v = strtoull(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno == ERANGE) {
        cli_error("%s: '%s' is not a whole number from 0 to %llu", option, text,
                  (unsigned long long)UINT64_MAX);
        return -1;
    }
    *value = (uint64_t)v;
    return 0;
}

int cli_parse_u64_range(const char *option, const char *text, uint64_t min, uint64_t max,
                        uint64_t *value) {
    if (cli_parse_u64(option, text, value) != 0) return -1;
    if (*value < min || *value > max) {
        cli_error("%s must be from %" PRIu64 " to %" PRIu64 ", not %s", option, min, max, text);
        return -1;
    }
    return 0;
}

int cli_parse_positive(const char *option, const char *text, double max, const char *note,
                       double *value) {
    if (cli_parse_double(option, text, value) != 0) return -1;
    if (*value <= 0.0 || *value > max) {
        cli_error("%s must be > 0 and at most %g%s, not %s", option, max, note ? note : "", text);
        return -1;
    }
    return 0;
}

/* One precision's name, else AUTO. */
static srnn_precision precision_named(const char *name, size_t length) {
    static const srnn_precision precisions[] = {SRNN_PRECISION_F32, SRNN_PRECISION_F16,
                                                SRNN_PRECISION_BF16, SRNN_PRECISION_I8,
                                                SRNN_PRECISION_I4};
    for (size_t i = 0; i < sizeof precisions / sizeof *precisions; i++)
        if (strlen(srnn_precision_name(precisions[i])) == length &&
            strncmp(name, srnn_precision_name(precisions[i]), length) == 0)
            return precisions[i];
    return SRNN_PRECISION_AUTO;
}

int cli_parse_precision(const char *command, const char *text, srnn_precision *precision,
                        srnn_precision *sample_precision) {
    const char *slash = strchr(text, '/');
    *precision = precision_named(text, slash ? (size_t)(slash - text) : strlen(text));
    *sample_precision = slash ? precision_named(slash + 1, strlen(slash + 1)) : *precision;
    if (*precision == SRNN_PRECISION_AUTO || *sample_precision == SRNN_PRECISION_AUTO) {
        cli_error("%s: --precision '%s' is not float32, float16, bfloat16, int8 or int4, "
                  "or two of them as FRAME_TIERS/SAMPLE_MLP", command, text);
        return -1;
    }
    return 0;
}

int cli_take_flag(int *argc, char **argv, const char *flag) {
    for (int i = 1; i < *argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], flag) != 0) continue;
        for (int j = i; j + 1 < *argc; j++) argv[j] = argv[j + 1];
        (*argc)--;
        return 1;
    }
    return 0;
}
