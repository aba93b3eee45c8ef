import Foundation

// `tally-fuzz`: two ways to run the fuzz targets.
//
// - Built normally, a seeded mutation fuzzer: `tally-fuzz csv|yaml --seconds N [--seed S]`
//   mutates the corpus (Tests/Fuzz/corpus/<target>/) for N seconds and exits 1 on a broken
//   invariant, printing the input; the same seed replays the same inputs. `make test` runs it.
// - Built with libFuzzer (`make fuzz`: `-sanitize=fuzzer -D TALLY_LIBFUZZER`), coverage-guided:
//   libFuzzer's driver calls `LLVMFuzzerTestOneInput` below with its own arguments; the target
//   is chosen by the TALLY_FUZZ_TARGET environment variable.

@_cdecl("LLVMFuzzerTestOneInput")
public func tallyFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let name = ProcessInfo.processInfo.environment["TALLY_FUZZ_TARGET"] ?? "csv"
    guard let target = FuzzTarget(rawValue: name) else { fatalError("TALLY_FUZZ_TARGET: csv or yaml, not \(name)") }
    if let problem = target.run(UnsafeRawBufferPointer(start: data, count: size)) {
        // A broken invariant is a finding, like a crash: libFuzzer saves the input.
        fatalError("tally-fuzz \(name): \(problem)")
    }
    return 0
}

#if TALLY_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, tallyFuzzOne))
#else
exit(MutationFuzzer.main(Array(CommandLine.arguments.dropFirst())))
#endif
