#if canImport(Glibc)
import Glibc
#endif

// Every file Tally writes (store, journal, exports) is readable by its owner only.
umask(0o077)
// Past `ulimit -f` a write fails with EFBIG, reported like any other write error, instead of
// the default SIGXFSZ ending the process with a half-written file.
signal(SIGXFSZ, SIG_IGN)
TallyCommand.main()
