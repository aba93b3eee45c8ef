#include <sqlite3.h>

/// SQLite's variadic configuration call, which Swift cannot make: turns off the memory
/// statistics (a global mutex taken on every allocation). Effective only before SQLite is
/// first used in the process; returns SQLITE_MISUSE after that, which is harmless.
static inline int tally_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
