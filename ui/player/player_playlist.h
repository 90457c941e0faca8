/* The models srnn play steps through with the left and right keys: the files given on the
 * command line in their order, a folder standing for its *.srnn files in name order. */
#ifndef SRNN_PLAYER_PLAYLIST_H
#define SRNN_PLAYER_PLAYLIST_H

#include <stddef.h>

#define PLAYLIST_ERROR_MAX 512

typedef struct {
    char **paths;
    size_t count;
} player_playlist;

/* Builds the list from arguments. Files are not opened here (a broken one shows its error when
 * it is played); a folder that cannot be read or holds no model, or an argument that does not
 * exist, is an error: 0, or -1 and one line in error. */
int player_playlist_build(player_playlist *list, const char *const *arguments, size_t count,
                          char error[PLAYLIST_ERROR_MAX]);
void player_playlist_free(player_playlist *list);

/* The file name of entry index, without its folder. */
const char *player_playlist_name(const player_playlist *list, size_t index);

#endif
