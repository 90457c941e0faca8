/* The model's card, which the plugin posts on its notify port for its GUI (ui/lv2gui/): one atom
 * object of type SRNN_LV2_CARD_URI describing the newest model, whenever one loads and when the
 * GUI asks (patch:Get). The GUI shows only what it says, so it needs neither the model file nor
 * the engine, and may live in another process than the plugin.
 *
 * The plugin forges the object off the audio thread, as the model loads (the worker's
 * measurement of its speed is in it); run() copies the prepared bytes to the notify port. */
#ifndef SRNN_LV2_MODEL_CARD_H
#define SRNN_LV2_MODEL_CARD_H

#include <stdint.h>

#include <lv2/urid/urid.h>

#define SRNN_LV2_CARD_URI "urn:srnn:lv2:card"
#define SRNN_LV2_CARD_NAME_MAX 96 /* bytes of the name posted, with its NUL */
#define SRNN_LV2_CARD_MAX 512     /* bytes of the object; the longest is 384 */

/* The object's keys and their values' types. */
typedef enum {
    CARD_NAME,      /* atom:String, the file's name without .srnn */
    CARD_RATE,      /* atom:Int, the model's sample rate in Hz */
    CARD_RNN,       /* atom:String, "LSTM" or "GRU" */
    CARD_DIM,       /* atom:Int, the RNN's width */
    CARD_LAYERS,    /* atom:Int, the RNN's layers */
    CARD_WEIGHTS,   /* atom:Long, the model's parameters */
    CARD_PRECISION, /* atom:String, as srnn_precision_name writes it */
    CARD_REALTIME,  /* atom:Float, the real-time factor measured here as it loaded */
    CARD_THREADS,   /* atom:Int, threads per voice */
    CARD_VOICES,    /* atom:Int, the instance's voices of it */
    CARD_LIVE,      /* atom:Bool, whether it plays live here */
    CARD_KEYS
} card_key;

typedef struct {
    LV2_URID type, key[CARD_KEYS];
} card_uris;

static inline void card_map_uris(LV2_URID_Map *map, card_uris *uris)
{
    static const char *const keys[CARD_KEYS] = {
        "urn:srnn:lv2:card-name",    "urn:srnn:lv2:card-rate",    "urn:srnn:lv2:card-rnn",
        "urn:srnn:lv2:card-dim",     "urn:srnn:lv2:card-layers",  "urn:srnn:lv2:card-weights",
        "urn:srnn:lv2:card-precision", "urn:srnn:lv2:card-realtime",
        "urn:srnn:lv2:card-threads", "urn:srnn:lv2:card-voices",  "urn:srnn:lv2:card-live",
    };
    uris->type = map->map(map->handle, SRNN_LV2_CARD_URI);
    for (int k = 0; k < CARD_KEYS; k++) uris->key[k] = map->map(map->handle, keys[k]);
}

/* A forged card: size bytes of atom (0: none), aligned as the forge needs. */
typedef struct {
    uint32_t size;
    uint64_t atom[SRNN_LV2_CARD_MAX / sizeof(uint64_t)];
} model_card;

#endif
