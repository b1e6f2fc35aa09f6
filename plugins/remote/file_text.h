/* file_text.h — read a small text file (a token, a PEM certificate or key)
 * for both ends of a remote node, and forget a secret. */
#ifndef RM_REMOTE_FILE_TEXT_H
#define RM_REMOTE_FILE_TEXT_H

#include <stddef.h>

/* The whole file (at most 16 MB) as a NUL-terminated malloc'd string, or
 * NULL with "WHAT 'PATH': reason" in `err`. */
char *rm_remote_read_file(const char *what, const char *path, char *err,
                          size_t err_len);

/* Overwrite a secret string (a token, a private key) with zeros, then
 * free it. NULL is a no-op. */
void rm_remote_free_secret(char *secret);

#endif /* RM_REMOTE_FILE_TEXT_H */
