/* The line reads, for example:
 *   > default.srnn rt 10.5x  T 0.95  load 14% (peak 31%)  xruns 0  01:23  REC take.wav 12.0s  | msg
 * (rt: the model's real-time factor on this machine, measured as it loaded)
 * The message comes last and is what the width cuts first. */
#include "tui_status.h"

#include <stdarg.h>
#include <string.h>

/* Appends to text[*used..size), truncating safely. */
static void append(char *text, size_t size, size_t *used, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *text, size_t size, size_t *used, const char *format, ...) {
    if (*used >= size) return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text + *used, size - *used, format, args);
    va_end(args);
    if (n > 0) *used += (size_t)n;
}

static void format_fields(char *text, size_t size, size_t *used, const tui_status *s) {
    long seconds = (long)s->elapsed;
    append(text, size, used, "%s %s", s->paused ? "||" : ">", s->model ? s->model : "-");
    if (s->realtime > 0) append(text, size, used, " rt %.1fx", s->realtime);
    append(text, size, used, "  T %.2f  load %.0f%% (peak %.0f%%)  xruns %llu  %02ld:%02ld",
           s->temperature, 100.0 * s->load,
           100.0 * s->peak_load, (unsigned long long)s->xruns, seconds / 60, seconds % 60);
    if (s->recording) append(text, size, used, "  REC %s %.1fs", s->recording, s->recorded);
    if (s->message && s->message[0]) append(text, size, used, "  | %s", s->message);
}

void tui_status_format(char *text, size_t size, int width, const tui_status *status) {
    if (size == 0) return;
    text[0] = '\0';
    size_t used = 0;
    format_fields(text, size, &used, status);
    size_t limit = width < 20 ? 20 : (size_t)width;
    if (strlen(text) > limit) text[limit] = '\0';
}

void tui_status_draw(FILE *out, const char *text) {
    /* \033[K erases what a longer previous line left behind */
    fprintf(out, "\r%s\033[K", text);
    fflush(out);
}

void tui_status_clear(FILE *out) {
    fputs("\r\033[K", out);
    fflush(out);
}
