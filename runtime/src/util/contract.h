/*
 * contract.h — counts of ABI contract violations by plugins (internal).
 *
 * The runtime tolerates a plugin that breaks a rule of the ABI where it
 * can (an emitted NULL item is dropped, a failure without a message gets
 * rm_strerror's text), which keeps a run alive but hides the bug from the
 * plugin's author. These process-wide counters make it visible to
 * `rmrun check-plugin`, which runs one node type per process and compares
 * the counts before and after. They are bumped only on the violation
 * paths, so a conforming plugin pays nothing. [thread-safe]
 */
#ifndef RM_CONTRACT_H
#define RM_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

typedef enum rm__violation {
    RM__VIOLATION_NULL_EMIT = 0,   /* host->emit(out, port, NULL)            */
    RM__VIOLATION_BAD_PORT,        /* emit on a port >= output_count         */
    RM__VIOLATION_NO_MESSAGE,      /* failed without calling error_set       */
    RM__VIOLATION_POSITIVE_STATUS, /* returned a status > 0                  */
    RM__VIOLATION_COUNT
} rm__violation_t;

void rm__violation_note(rm__violation_t what);
uint64_t rm__violation_count(rm__violation_t what);

/* Blocks from host->alloc/realloc not yet given back to host->free (in
 * host.c). Off by default, so allocation costs no shared atomic; once on,
 * blocks allocated from then on are counted. [thread-safe] */
void rm__host_track_live(int on);
size_t rm__host_live_blocks(void);

#endif /* RM_CONTRACT_H */
