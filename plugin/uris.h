/* The URIs the plugin speaks, mapped once when it is instantiated. */
#ifndef SRNN_LV2_URIS_H
#define SRNN_LV2_URIS_H

#include <lv2/atom/atom.h>
#include <lv2/patch/patch.h>
#include <lv2/urid/urid.h>

#include "params.h"

typedef struct {
    LV2_URID atom_Path;
    LV2_URID atom_String;
    LV2_URID atom_URID;
    LV2_URID patch_Get;
    LV2_URID patch_Set;
    LV2_URID patch_property;
    LV2_URID patch_value;
    LV2_URID model; /* SRNN_LV2_MODEL_URI */
    LV2_URID error; /* SRNN_LV2_ERROR_URI */
    LV2_URID speed; /* SRNN_LV2_SPEED_URI */
} srnn_lv2_uris;

static inline void srnn_lv2_map_uris(LV2_URID_Map *map, srnn_lv2_uris *uris)
{
    uris->atom_Path = map->map(map->handle, LV2_ATOM__Path);
    uris->atom_String = map->map(map->handle, LV2_ATOM__String);
    uris->atom_URID = map->map(map->handle, LV2_ATOM__URID);
    uris->patch_Get = map->map(map->handle, LV2_PATCH__Get);
    uris->patch_Set = map->map(map->handle, LV2_PATCH__Set);
    uris->patch_property = map->map(map->handle, LV2_PATCH__property);
    uris->patch_value = map->map(map->handle, LV2_PATCH__value);
    uris->model = map->map(map->handle, SRNN_LV2_MODEL_URI);
    uris->error = map->map(map->handle, SRNN_LV2_ERROR_URI);
    uris->speed = map->map(map->handle, SRNN_LV2_SPEED_URI);
}

#endif
