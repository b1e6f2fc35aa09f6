/*
 * remotemedia/export.h — RM_API marks what libremotemedia exports.
 *
 * The library is built with hidden visibility (CMake C_VISIBILITY_PRESET
 * hidden): only declarations marked RM_API in the public headers are in
 * its dynamic symbol table; the core's internal functions (rm__*) are not.
 * A new public function needs RM_API on its declaration.
 */
#ifndef REMOTEMEDIA_EXPORT_H
#define REMOTEMEDIA_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define RM_API __attribute__((visibility("default")))
#else
#define RM_API
#endif

#endif /* REMOTEMEDIA_EXPORT_H */
