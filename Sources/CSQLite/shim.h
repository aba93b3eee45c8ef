#include <sqlite3.h>

/// SQLite's variadic configuration call, which Swift cannot make: turns off the memory
/// statistics (a global mutex taken on every allocation). Effective only before SQLite is
/// first used in the process; returns SQLITE_MISUSE after that, which is harmless.
static inline int tally_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#ifdef __linux__
/// Linux's sync_file_range(2), declared here because Swift's Glibc module hides it behind
/// _GNU_SOURCE.
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);

/// Asks the kernel to start writing the file's dirty pages to disk now, without waiting:
/// a long load then finds most of its data already on disk when it commits.
static inline int tally_start_writeback(int fd) {
    return sync_file_range(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */);
}
#else
static inline int tally_start_writeback(int fd) { (void)fd; return 0; }
#endif
