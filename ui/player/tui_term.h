/* The terminal for srnn play's live controls: keys read one at a time without echo, arrows
 * decoded, and the terminal restored as it was on the way out. */
#ifndef SRNN_TUI_TERM_H
#define SRNN_TUI_TERM_H

#include <termios.h>

enum {
    TUI_KEY_NONE = -1, /* nothing pressed before the timeout */
    TUI_KEY_UP = 256,  /* above any byte */
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
};

typedef struct {
    int fd;
    int raw; /* 1 while saved holds the mode to restore */
    struct termios saved;
    unsigned char pending[16]; /* bytes read but not yet returned */
    int pending_count;
} tui_term;

/* Puts the terminal on fd into non-canonical mode without echo (Ctrl-C still interrupts).
 * 0, or -1 when fd is not a terminal. */
int tui_term_raw(tui_term *term, int fd);

/* Back to the saved mode; harmless when not raw. */
void tui_term_restore(tui_term *term);

/* The next key: a byte ('q', ' ', ...), a TUI_KEY_* arrow, or TUI_KEY_NONE after timeout_ms
 * without input (or at end of input). */
int tui_term_key(tui_term *term, int timeout_ms);

#endif
