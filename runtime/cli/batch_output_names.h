/* batch_output_names.h — no two things a batch writes share a name. */
#ifndef RM_CLI_BATCH_OUTPUT_NAMES_H
#define RM_CLI_BATCH_OUTPUT_NAMES_H

#include "batch.h"

/* Refuses (RM_EXIT_USAGE, printed, naming both) a planned file that two
 * writers of the batch share: an input's output (its sinks', --metrics',
 * --trace', --segments' files) and the report, the resume state or a
 * combined segments file (in/batch-report.wav -> OUT/batch-report.json),
 * or two inputs' (a.wav's a.metrics.json and a.metrics.wav's JSON), or
 * one that is the manifest file (a.json beside a.wav in --out). Call
 * after the entries' outputs are planned. RM_EXIT_FAILED: out of memory. */
int rm_batch_check_output_names(const rm_batch_t *b);

#endif /* RM_CLI_BATCH_OUTPUT_NAMES_H */
