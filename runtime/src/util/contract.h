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
#include <remotemedia/debug.h> /* rm_violation_t, rm_violation_count */


void rm__violation_note(rm_violation_t what);

/* Blocks from host->alloc/realloc not yet given back to host->free are
 * counted once on (host.c; rm_track_live turns this and the items' count
 * on). [thread-safe] */
void rm__host_track_live(int on);

#endif /* RM_CONTRACT_H */
