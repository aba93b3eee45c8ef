#if canImport(Glibc)
import Glibc
#endif

// Every file Tally writes (store, journal, exports) is readable by its owner only.
umask(0o077)
TallyCommand.main()
