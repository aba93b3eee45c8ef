// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tally", targets: ["TallyCLI"]),
        .executable(name: "tally-sample", targets: ["TallySample"]),
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallyStore", targets: ["TallyStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // System libraries (Debian: libcsv-dev, libsqlite3-dev).
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3"),

        // Record contract: field kinds, schemas, validation, time zones. No I/O.
        .target(name: "TallyCore"),
        // Streaming CSV reading over libcsv, with line numbers, BOM and encodings.
        .target(name: "TallyCSV", dependencies: ["CCSV"]),
        // The SQLite store: schema, migrations, ingest, quarantine, provenance.
        .target(name: "TallyStore", dependencies: [
            "TallyCore", "TallyCSV", "CSQLite",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The `tally` command-line program.
        .executableTarget(name: "TallyCLI", dependencies: [
            "TallyCore", "TallyStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Deterministic generator of the sample data and of benchmark data.
        .executableTarget(name: "TallySample", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "TallyCoreTests", dependencies: ["TallyCore"]),
        .testTarget(name: "TallyCSVTests", dependencies: ["TallyCSV"]),
        .testTarget(name: "TallyStoreTests", dependencies: ["TallyStore", "TallyCore", "CSQLite"]),
        .testTarget(name: "TallyCLITests", dependencies: ["TallyCLI", "TallyStore", "TallyCore"]),
    ]
)
