/*
 * json_item.h — the VAD nodes' result items, built with cJSON (numbers as
 * rm_json_number / rm_json_number_rounded: plugins/common/json_number.h).
 */
#ifndef RM_VAD_JSON_ITEM_H
#define RM_VAD_JSON_ITEM_H

#include <cjson/cJSON.h>
#include <remotemedia/plugin.h>

#include "json_number.h"

/* A new JSON item holding `json` printed on one line (NULL when out of
 * memory, or when json is NULL); deletes `json` either way. */
rm_item_t *rm_vad_json_item(const rm_host_t *host, cJSON *json);

#endif /* RM_VAD_JSON_ITEM_H */
