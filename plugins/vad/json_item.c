/* json_item.c — see json_item.h. */
#include "json_item.h"

#include <stdlib.h>
#include <string.h>

rm_item_t *rm_vad_json_item(const rm_host_t *host, cJSON *json) {
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!text) return NULL;
    rm_item_t *item = host->item_new_json(host, text, strlen(text));
    free(text);
    return item;
}
