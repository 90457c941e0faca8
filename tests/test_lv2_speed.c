/* The plugin measures each model as it loads (live/voices.c, srnn_model_measure_speed)
 * and tells the host: the notify port's speed property (SRNN_LV2_SPEED_URI) and the log carry
 * the real-time factor and the threads chosen; a model too slow to play live (a random
 * 512 x 2 float32 model on the plain C kernels, SRNN_CPU=generic, in the stereo plugin: about
 * a quarter of real time here) gets a warning naming what would help, in both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host.h"
#include "params.h"
#include "speed_model.h"

/* The factor in "NAME: 3.21x real time here (...)", or -1. */
static double factor_of(const char *speed)
{
    const char *colon = strstr(speed, ": ");
    double factor;
    if (!colon || sscanf(colon + 2, "%lfx real time here (", &factor) != 1) return -1.0;
    return factor;
}

static void check_default_model(void)
{
    host *h = host_open(&(host_options){SRNN_LV2_URI, 48000, WORKER_SYNC, false});
    if (!CHECK(h, "cannot open the mono plugin")) return;
    host_run(h, 64, NULL, NULL);
    const char *speed = host_notified_speed(h);
    double factor = factor_of(speed);
    CHECK_SHOW(strncmp(speed, "default.srnn: ", 14) == 0 && factor > 0.05 && factor < 1e4 &&
                   strstr(speed, "(int8, 1 voice of "),
               "the default model's speed is notified: '%s'", speed);
    char logged[HOST_TEXT_MAX];
    snprintf(logged, sizeof logged, "srnn: %s\n", speed);
    CHECK_SHOW(strcmp(host_last_log_note(h), logged) == 0 &&
                   (factor < SRNN_SPEED_LIVE) == (host_log_warnings(h) > 0),
               "and logged, as a warning only below real time: '%.*s'",
               (int)strcspn(host_last_log_note(h), "\n"), host_last_log_note(h));
    host_close(h);
}

static void check_slow_model(const char *path)
{
    host *h = host_open(&(host_options){SRNN_LV2_STEREO_URI, 48000, WORKER_THREADED, false});
    if (!CHECK(h, "cannot open the stereo plugin")) return;
    uint32_t warnings = host_log_warnings(h);
    host_send_model(h, path);
    for (int i = 0; i < 200 && strcmp(host_notified_model(h), path) != 0; i++) {
        host_run(h, 64, NULL, NULL);
        host_wait_worker(h);
    }
    const char *speed = host_notified_speed(h);
    double factor = factor_of(speed);
    CHECK_SHOW(strcmp(host_notified_model(h), path) == 0 && factor > 0 &&
                   factor < SRNN_SPEED_LIVE && strstr(speed, "(float32, 2 voices of ") &&
                   strstr(speed, "cannot play live here") && strstr(speed, "int8 or int4"),
               "a model too slow to play live is notified with what would help: '%s'", speed);
    CHECK_SHOW(host_log_warnings(h) == warnings + 1 && strstr(host_last_log_note(h), speed),
               "and logged as a warning");
    host_close(h);
}

int main(void)
{
    if (!CHECK(host_world(), "no lilv world")) return check_summary();
    check_default_model();

    char dir[] = "/tmp/srnn-test-lv2-speed-XXXXXX", path[128], error[SRNN_ERROR_MAX] = "";
    if (CHECK(mkdtemp(dir), "cannot make a temporary directory")) {
        snprintf(path, sizeof path, "%s/m512x2.srnn", dir);
        srnn_config config = speed_config(512, 2);
        if (CHECK(speed_write_model(path, &config, SRNN_PRECISION_F32, error) == SRNN_OK,
                  "%s: %s", path, error)) {
            setenv("SRNN_CPU", "generic", 1); /* read as the worker loads the model */
            check_slow_model(path);
            unlink(path);
        }
        rmdir(dir);
    }
    host_world_free();
    return check_summary();
}
