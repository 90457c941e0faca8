/* Arrows arrive as escape sequences, ESC [ A (or ESC O A in application mode) for up, B down,
 * C right, D left; a lone ESC or any other sequence is dropped. */
#include "tui_term.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>

int tui_term_raw(tui_term *term, int fd) {
    memset(term, 0, sizeof *term);
    term->fd = fd;
    if (!isatty(fd) || tcgetattr(fd, &term->saved) != 0) return -1;
    struct termios raw = term->saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &raw) != 0) return -1;
    term->raw = 1;
    return 0;
}

void tui_term_restore(tui_term *term) {
    if (term->raw) tcsetattr(term->fd, TCSANOW, &term->saved);
    term->raw = 0;
}

/* Reads what is available into pending, waiting up to timeout_ms for the first byte. */
static void fill(tui_term *term, int timeout_ms) {
    struct pollfd pfd = {term->fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0 || !(pfd.revents & POLLIN)) return;
    ssize_t got = read(term->fd, term->pending + term->pending_count,
                       sizeof term->pending - (size_t)term->pending_count);
    if (got > 0) term->pending_count += (int)got;
}

static void consume(tui_term *term, int count) {
    term->pending_count -= count;
    memmove(term->pending, term->pending + count, (size_t)term->pending_count);
}

int tui_term_key(tui_term *term, int timeout_ms) {
    if (term->pending_count == 0) fill(term, timeout_ms);
    if (term->pending_count == 0) return TUI_KEY_NONE;
    unsigned char first = term->pending[0];
    if (first != 0x1b) {
        consume(term, 1);
        return first;
    }
    /* The rest of an escape sequence follows within milliseconds. */
    if (term->pending_count < 3) fill(term, 20);
    if (term->pending_count >= 3 && (term->pending[1] == '[' || term->pending[1] == 'O')) {
        unsigned char final = term->pending[2];
        consume(term, 3);
        switch (final) {
        case 'A': return TUI_KEY_UP;
        case 'B': return TUI_KEY_DOWN;
        case 'C': return TUI_KEY_RIGHT;
        case 'D': return TUI_KEY_LEFT;
        default: return TUI_KEY_NONE;
        }
    }
    consume(term, term->pending_count < 2 ? term->pending_count : 2);
    return TUI_KEY_NONE;
}
