/* The model's card as the plugin posts it (plugin/model_card.h), read into the view: its name,
 * a line of rate, architecture, size, precision and threads, and the real-time factor the
 * plugin measured as the model loaded. Nothing here reads the model file. */
#include <stdio.h>
#include <string.h>

#include <lv2/atom/util.h>

#include "gui_view.h"

static double number(const LV2_Atom_Forge *forge, const LV2_Atom *value)
{
    if (value->type == forge->Int && value->size == sizeof(int32_t))
        return ((const LV2_Atom_Int *)value)->body;
    if (value->type == forge->Long && value->size == sizeof(int64_t))
        return (double)((const LV2_Atom_Long *)value)->body;
    if (value->type == forge->Float && value->size == sizeof(float))
        return ((const LV2_Atom_Float *)value)->body;
    if (value->type == forge->Bool && value->size == sizeof(int32_t))
        return ((const LV2_Atom_Bool *)value)->body != 0;
    return 0.0;
}

static void text(const LV2_Atom_Forge *forge, const LV2_Atom *value, char *out, size_t size)
{
    out[0] = '\0';
    if (value->type != forge->String || value->size == 0) return;
    size_t length = strnlen(LV2_ATOM_BODY_CONST(value), value->size);
    if (length > size - 1) length = size - 1;
    memcpy(out, LV2_ATOM_BODY_CONST(value), length);
    out[length] = '\0';
}

void gui_card_read(const LV2_Atom_Forge *forge, const card_uris *uris,
                   const LV2_Atom_Object *object, gui_view *view)
{
    double numbers[CARD_KEYS] = {0};
    char name[SRNN_LV2_CARD_NAME_MAX] = "", rnn[16] = "", precision[32] = "";
    LV2_ATOM_OBJECT_FOREACH (object, property) {
        int k = 0;
        while (k < CARD_KEYS && uris->key[k] != property->key) k++;
        if (k == CARD_NAME) text(forge, &property->value, name, sizeof name);
        else if (k == CARD_RNN) text(forge, &property->value, rnn, sizeof rnn);
        else if (k == CARD_PRECISION) text(forge, &property->value, precision, sizeof precision);
        else if (k < CARD_KEYS) numbers[k] = number(forge, &property->value);
    }
    snprintf(view->model_name, sizeof view->model_name, "%s", name);
    double threads = numbers[CARD_THREADS];
    snprintf(view->card, sizeof view->card,
             "%.3g kHz  \xc2\xb7  %s %.0f\xc3\x97%.0f  \xc2\xb7  %.2f M weights  \xc2\xb7  %s  "
             "\xc2\xb7  %.0f thread%s per voice",
             numbers[CARD_RATE] / 1000.0, rnn, numbers[CARD_DIM], numbers[CARD_LAYERS],
             numbers[CARD_WEIGHTS] / 1e6, precision, threads, threads == 1 ? "" : "s");
    view->realtime_factor = numbers[CARD_REALTIME];
    view->live = numbers[CARD_LIVE] != 0.0;
}
