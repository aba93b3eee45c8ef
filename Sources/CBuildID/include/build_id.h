#ifndef TALLY_BUILD_ID_H
#define TALLY_BUILD_ID_H
#include <stddef.h>

/// Copies the running program's GNU build ID (the linker's NT_GNU_BUILD_ID note) into
/// `out` (at most `capacity` bytes); returns its length, or 0 when there is none.
size_t tally_build_id(unsigned char *out, size_t capacity);

#endif
