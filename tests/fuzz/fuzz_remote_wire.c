/*
 * fuzz_remote_wire.c — libFuzzer target: what a node server or a remote
 * client receives, as bytes off the network: a ClientMessage and a
 * ServerMessage of remotemedia_remote.proto are unpacked, and every item
 * in them decoded (plugins/remote/wire_item.c) against a 1 MiB limit.
 * Properties: no crash, leak or UB; a decoded item's declared size equals
 * its payload; a refusal always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire_item.h"

static void check(const Remotemedia__Remote__V1__Item *pb) {
    if (!pb) return;
    rm_wire_item_t item;
    char why[256] = "";
    if (rm_wire_item_decode(pb, (size_t)1 << 20, &item, why, sizeof why) != 0) {
        if (!why[0]) abort();
        return;
    }
    if (item.size != pb->payload.len) abort();
    if (item.kind == RM_KIND_AUDIO &&
        item.audio.frames * item.audio.channels *
                rm_sample_size(item.audio.sample_format) != item.size)
        abort();
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < item.size; i += 4096) sink ^= ((const uint8_t *)item.data)[i];
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Remotemedia__Remote__V1__ClientMessage *client =
        remotemedia__remote__v1__client_message__unpack(NULL, size, data);
    if (client) {
        if (client->body_case == REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__BODY_INPUT)
            check(client->input->item);
        remotemedia__remote__v1__client_message__free_unpacked(client, NULL);
    }
    Remotemedia__Remote__V1__ServerMessage *server =
        remotemedia__remote__v1__server_message__unpack(NULL, size, data);
    if (server) {
        if (server->body_case == REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__BODY_OUTPUT)
            check(server->output->item);
        remotemedia__remote__v1__server_message__free_unpacked(server, NULL);
    }
    return 0;
}
