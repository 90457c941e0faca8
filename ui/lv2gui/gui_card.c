/* The model's card: its rate, architecture, size and precision, read from the file with the
 * engine (the file is mapped, not copied, and freed at once). The real-time factor is the
 * plugin's own measurement (its speed message); this is what the file says. */
#include <stdio.h>

#include "gui_view.h"
#include "srnn.h"

bool gui_card_read(const char *path, char *card, uint32_t size)
{
    srnn_model *model;
    char error[SRNN_ERROR_MAX];
    if (srnn_model_load(path, &model, error) != SRNN_OK) {
        snprintf(card, size, "%s", error);
        return false;
    }
    const srnn_config *config = srnn_model_config(model);
    double weights = (double)srnn_model_parameter_count(model);
    snprintf(card, size, "%.3g kHz  \xc2\xb7  %s %u\xc3\x97%u  \xc2\xb7  %.2f M weights  \xc2\xb7  %s",
             config->sample_rate / 1000.0, config->rnn_type == SRNN_RNN_LSTM ? "LSTM" : "GRU",
             config->dim, config->num_rnn_layers, weights / 1e6,
             srnn_precision_name(srnn_model_precision(model)));
    srnn_model_free(model);
    return true;
}
