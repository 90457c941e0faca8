#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "byte_buffer.h"
#include "crc32c.h"
#include "proto_wire.h"
#include "tfevents.h"

/* tensorflow/core/util/event.proto and summary.proto */
enum { EVENT_WALL_TIME = 1, EVENT_STEP = 2, EVENT_FILE_VERSION = 3, EVENT_SUMMARY = 5 };
enum { SUMMARY_VALUE = 1, VALUE_TAG = 1, VALUE_SIMPLE_VALUE = 2 };

static void put_double_field(byte_buffer *out, uint32_t number, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    buffer_put_varint(out, (uint64_t)number << 3 | PB_FIXED64);
    buffer_put_u64(out, bits);
}

static bool write_record(train_events *events, const byte_buffer *event)
{
    if (event->failed) return false;
    byte_buffer frame = {0};
    buffer_put_u64(&frame, event->size);
    uint32_t length_crc = crc32c_mask(crc32c_extend(0, frame.data, 8));
    buffer_put_u32(&frame, length_crc);
    buffer_append(&frame, event->data, event->size);
    buffer_put_u32(&frame, crc32c_mask(crc32c_extend(0, event->data, event->size)));
    bool ok = !frame.failed && fwrite(frame.data, 1, frame.size, events->file) == frame.size &&
              fflush(events->file) == 0;
    buffer_free(&frame);
    return ok;
}

bool train_events_open(train_events *events, const char *dir, char *error)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(events->path, sizeof events->path, "%s/events.out.tfevents.%lld.%s.srnn-train", dir,
             (long long)now.tv_sec, host);
    events->file = fopen(events->path, "ab");
    if (!events->file) {
        snprintf(error, 1024, "%.900s: %s", events->path, strerror(errno));
        return false;
    }
    byte_buffer event = {0};
    put_double_field(&event, EVENT_WALL_TIME, (double)now.tv_sec + now.tv_usec * 1e-6);
    static const char version[] = "brain.Event:2";
    pb_put_bytes_field(&event, EVENT_FILE_VERSION, version, sizeof version - 1);
    bool ok = write_record(events, &event);
    buffer_free(&event);
    if (!ok) {
        snprintf(error, 1024, "%.900s: cannot write", events->path);
        train_events_close(events);
    }
    return ok;
}

bool train_events_scalar(train_events *events, const char *tag, int64_t step, double wall_time,
                         float value)
{
    if (!events->file) return false;
    byte_buffer summary_value = {0}, summary = {0}, event = {0};
    pb_put_bytes_field(&summary_value, VALUE_TAG, tag, strlen(tag));
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    pb_put_fixed32_field(&summary_value, VALUE_SIMPLE_VALUE, bits);
    pb_put_bytes_field(&summary, SUMMARY_VALUE, summary_value.data, summary_value.size);
    put_double_field(&event, EVENT_WALL_TIME, wall_time);
    pb_put_varint_field(&event, EVENT_STEP, (uint64_t)step);
    pb_put_bytes_field(&event, EVENT_SUMMARY, summary.data, summary.size);
    bool ok = !summary_value.failed && !summary.failed && write_record(events, &event);
    buffer_free(&summary_value);
    buffer_free(&summary);
    buffer_free(&event);
    return ok;
}

void train_events_close(train_events *events)
{
    if (events->file) fclose(events->file);
    events->file = NULL;
}
