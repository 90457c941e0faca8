/* srnn play's status line: what plays and how, redrawn in place. */
#ifndef SRNN_TUI_STATUS_H
#define SRNN_TUI_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    const char *model;      /* name of the model playing */
    double realtime;        /* its real-time factor here (measured as it loaded); 0: unknown */
    double temperature;
    int paused;
    double load;            /* mean callback CPU load since the last line, 0 to 1+ */
    double peak_load;       /* the largest of one callback */
    uint64_t xruns;
    double elapsed;         /* seconds played */
    const char *recording;  /* file being recorded, or NULL */
    double recorded;        /* seconds in it */
    const char *message;    /* the latest error or notice, or NULL */
} tui_status;

/* Formats the line into text (at most width characters, at least 20). */
void tui_status_format(char *text, size_t size, int width, const tui_status *status);

/* Overwrites the terminal's current line with text. */
void tui_status_draw(FILE *out, const char *text);

/* Clears the current line, so that other output can start there. */
void tui_status_clear(FILE *out);

#endif
