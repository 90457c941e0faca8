/* The model's card (model_card.h), forged as a model loads: by the worker, or by instantiate and
 * restore when they install a model at once. Never on the audio thread. */
#include <string.h>

#include <lv2/atom/forge.h>

#include "plugin.h"

void srnn_plugin_forge_card(LV2_URID_Map *map, const live_voices *p, uint32_t voices,
                            model_card *card)
{
    card_uris uris;
    card_map_uris(map, &uris);
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, map);
    lv2_atom_forge_set_buffer(&forge, (uint8_t *)card->atom, sizeof card->atom);

    const srnn_model *model = live_voices_model(p);
    const srnn_config *config = srnn_model_config(model);
    const char *path = live_voices_path(p), *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t length = strlen(name);
    if (length > 5 && strcmp(name + length - 5, ".srnn") == 0) length -= 5;
    if (length > SRNN_LV2_CARD_NAME_MAX - 1) length = SRNN_LV2_CARD_NAME_MAX - 1;
    const char *rnn = config->rnn_type == SRNN_RNN_LSTM ? "LSTM" : "GRU";
    const char *precision = srnn_precision_name(srnn_model_precision(model));

    LV2_Atom_Forge_Frame frame;
    bool fits = lv2_atom_forge_object(&forge, &frame, 0, uris.type);
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_NAME]) &&
           lv2_atom_forge_string(&forge, name, (uint32_t)length);
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_RATE]) &&
           lv2_atom_forge_int(&forge, (int32_t)config->sample_rate);
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_RNN]) &&
           lv2_atom_forge_string(&forge, rnn, (uint32_t)strlen(rnn));
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_DIM]) &&
           lv2_atom_forge_int(&forge, (int32_t)config->dim);
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_LAYERS]) &&
           lv2_atom_forge_int(&forge, (int32_t)config->num_rnn_layers);
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_WEIGHTS]) &&
           lv2_atom_forge_long(&forge, (int64_t)srnn_model_parameter_count(model));
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_PRECISION]) &&
           lv2_atom_forge_string(&forge, precision, (uint32_t)strlen(precision));
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_REALTIME]) &&
           lv2_atom_forge_float(&forge, (float)live_voices_realtime_factor(p));
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_THREADS]) &&
           lv2_atom_forge_int(&forge, (int32_t)live_voices_threads(p));
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_VOICES]) &&
           lv2_atom_forge_int(&forge, (int32_t)voices);
    fits = fits && lv2_atom_forge_key(&forge, uris.key[CARD_LIVE]) &&
           lv2_atom_forge_bool(&forge, live_voices_live(p));
    if (fits) lv2_atom_forge_pop(&forge, &frame);
    /* the name is bounded so that every card fits: none rather than a part of one */
    card->size = fits ? (uint32_t)forge.offset : 0;
}
