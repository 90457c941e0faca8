/* srnn: the command-line tool. Dispatches to the subcommands in ui/cli/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define SRNN_TOOL_VERSION "0.1.0"

static const cli_command *const commands[] = {&cmd_render, &cmd_eval, &cmd_info,
                                              &cmd_import, &cmd_export, &cmd_ckpt_ls, &cmd_play,
                                              &cmd_train, &cmd_bench, &cmd_convert};
enum { NUM_COMMANDS = sizeof commands / sizeof commands[0] };

static const cli_command *find_command(const char *name) {
    for (int i = 0; i < NUM_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

static void print_help(void) {
    printf("usage: srnn COMMAND [ARGS]\n"
           "\n"
           "Plays, scores and inspects three-tier SampleRNN models (.srnn files).\n"
           "\n"
           "commands:\n");
    for (int i = 0; i < NUM_COMMANDS; i++)
        printf("  %-8s %s\n", commands[i]->name, commands[i]->summary);
    printf("\n"
           "srnn help COMMAND shows a command's options; srnn --version the version.\n");
}

static int is_help_flag(const char *arg) {
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* srnn help [COMMAND] */
static int help_run(int argc, char **argv) {
    if (argc == 1) {
        print_help();
        return CLI_EXIT_OK;
    }
    const cli_command *command = argc == 2 ? find_command(argv[1]) : NULL;
    if (!command) {
        cli_error("help: %s '%s' (see srnn --help)",
                  argc == 2 ? "unknown command" : "one command at a time, not", argv[argc - 1]);
        return CLI_EXIT_USAGE;
    }
    fputs(command->help, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        cli_error("no command given (see srnn --help)");
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (is_help_flag(name)) {
        print_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("srnn %s\n", SRNN_TOOL_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) return help_run(argc - 1, argv + 1);
    const cli_command *command = find_command(name);
    if (!command) {
        cli_error("unknown %s '%s' (see srnn --help)", name[0] == '-' ? "option" : "command",
                  name);
        return CLI_EXIT_USAGE;
    }
    /* "srnn CMD ... --help" anywhere before "--" shows the command's help instead. */
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help_flag(argv[i])) {
            fputs(command->help, stdout);
            return CLI_EXIT_OK;
        }
    }
    return command->run(argc - 1, argv + 1);
}
