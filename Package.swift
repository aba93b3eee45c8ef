// swift-tools-version: 6.0
import PackageDescription

/// Release builds skip Swift's dynamic exclusivity checks in the hot modules (the checks
/// cost about a tenth of ingest time in profiles); debug builds and tests keep them.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Linux only (Debian's libraries, Glibc, /proc): no Apple platform is declared.
let package = Package(
    name: "Tally",
    products: [
        .executable(name: "tally", targets: ["TallyCLI"]),
        .executable(name: "tally-sample", targets: ["TallySample"]),
        .executable(name: "tally-fuzz", targets: ["TallyFuzz"]),
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallyStore", targets: ["TallyStore"]),
        .library(name: "TallyEngine", targets: ["TallyEngine"]),
        .library(name: "TallyMetrics", targets: ["TallyMetrics"]),
        .library(name: "TallyCharts", targets: ["TallyCharts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System libraries (Debian: libcsv-dev, libsqlite3-dev).
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3"),
        // Cairo (PNG, SVG, PDF surfaces) with Pango for text (Debian: libcairo2-dev, libpango1.0-dev).
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "pangocairo"),
        // qpdf's C API, to finish the tagged PDF (Debian: libqpdf-dev).
        .systemLibrary(name: "CQPDF", path: "Sources/CQPDF", pkgConfig: "libqpdf"),
        // libarchive, to read .zip, .tar and compressed inputs by streaming (Debian: libarchive-dev).
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),
        // libxml2, to stream the XML parts of .xlsx workbooks (Debian: libxml2-dev).
        .systemLibrary(name: "CXML2", path: "Sources/CXML2", pkgConfig: "libxml-2.0"),

        // Calendar and time-zone arithmetic on integers (no Foundation in loops).
        .target(name: "TallyTime"),
        // Files that appear whole or not at all (temporary file, fsync, rename), and the
        // clean-up of temporary files left by killed processes.
        .target(name: "TallyFiles"),
        // The running program's GNU build ID (dl_iterate_phdr), for manifests.
        .target(name: "CBuildID"),
        // YAML files read with Yams and checked key by key ("FILE: key 'x': expected …").
        .target(name: "TallyYAML", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Record contract: field kinds, schemas, validation. No I/O.
        .target(name: "TallyCore", dependencies: ["TallyTime", "CBuildID"], swiftSettings: fast),
        // Columnar in-memory engine: typed columns, filters, group-by, quantiles, joins.
        // Knows nothing of arrests or platforms.
        // Its storage includes the column file format (the cache's `.tcol` files), as DuckDB keeps
        // its storage format beside its vectors.
        .target(name: "TallyEngine", dependencies: ["TallyTime", "TallyFiles"], swiftSettings: fast),
        // Streaming CSV reading over libcsv, with line numbers, BOM and encodings.
        .target(name: "TallyCSV", dependencies: ["CCSV"], swiftSettings: fast),
        // Source profiles: how an agency's export (Korean headers and labels, title and totals
        // rows, Excel dates) maps onto a record kind (Data/sources/*.yaml).
        .target(name: "TallyProfiles", dependencies: ["TallyCore", "TallyYAML"]),
        // Streaming reader of .xlsx workbooks (zip via libarchive, XML via libxml2): rows of
        // cell texts, with sheets, shared strings, number formats and dates, merged header cells.
        .target(name: "TallyXLSX", dependencies: ["CArchive", "CXML2", "TallyTime"], swiftSettings: fast),
        // The SQLite store: schema, migrations, ingest, quarantine, provenance; the engine columns
        // a load writes beside it (column segments: the engine's column types and file format only).
        .target(name: "TallyStore", dependencies: [
            "TallyCore", "TallyCSV", "TallyProfiles", "TallyXLSX", "TallyFiles", "TallyEngine", "CSQLite", "CArchive",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: fast),
        // Engine tables of the stored records (through the column cache, at a vintage) and of
        // CSV files: where the store meets the engine.
        .target(name: "TallyTables", dependencies: [
            "TallyStore", "TallyEngine", "TallyCore", "TallyCSV", "TallyFiles", "CSQLite",
        ], swiftSettings: fast),
        // The figures of metrics.md: periods, settings, fine schedule, disclosure control.
        .target(name: "TallyMetrics", dependencies: [
            "TallyCore", "TallyEngine", "TallyYAML",
        ]),
        // Charts drawn with Cairo and Pango from declarative specs (Charts/*.yaml).
        .target(name: "TallyCharts", dependencies: [
            "CCairo", "TallyMetrics", "TallyEngine", "TallyTime", "TallyFiles",
        ]),
        // The monthly bulletin: PDF (Cairo + Pango, finished with qpdf) and HTML, its manifest and its verification.
        .target(name: "TallyBulletin", dependencies: [
            "CCairo", "CQPDF", "TallyCharts", "TallyMetrics", "TallyCore", "TallyEngine", "TallyTime", "TallyFiles",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // What a publication needs from the store: verification of a manifest by the figure
        // catalogue's SQL and the files' hashes, revisions over the store's batches, and the
        // bulletins recorded in it. (The bulletin itself knows nothing of the store.)
        .target(name: "TallyPublication", dependencies: [
            "TallyBulletin", "TallyMetrics", "TallyStore", "TallyTables", "TallyCore", "TallyTime",
        ]),
        // The Spark engine: the record contract as Spark SQL, the catalogue's figure SQL in
        // Spark's dialect, the fixed driver run by spark-submit, and its answers.
        .target(name: "TallySpark", dependencies: ["TallyCore", "TallyMetrics", "TallyFiles", "TallyCharts"]),
        // Exports of the records for journalists and analysts (CSV, JSON, standalone SQLite,
        // version history), in the period as the figures count them.
        .target(name: "TallyExport", dependencies: ["TallyCore", "TallyMetrics", "TallyStore", "TallyTime"]),
        // The `tally` command-line program.
        .executableTarget(name: "TallyCLI", dependencies: [
            "TallyCore", "TallyCSV", "TallyStore", "TallyTables", "TallyProfiles", "TallyEngine", "TallyMetrics", "TallyCharts", "TallyBulletin", "TallyPublication", "TallyExport", "TallyFiles", "TallySpark",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Deterministic generator of the sample data and of benchmark data.
        .executableTarget(name: "TallySample", dependencies: [
            "TallyTime", "TallyFiles",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Fuzz targets for the CSV reader with row validation and for the YAML specs: a seeded
        // mutation fuzzer as built, coverage-guided with libFuzzer under `make fuzz`.
        .executableTarget(name: "TallyFuzz", dependencies: ["TallyCore", "TallyStore", "TallyProfiles", "TallyMetrics", "TallyCharts", "TallyBulletin"]),

        // Helpers shared by the test targets (a temporary store, SQL rows as text).
        .target(name: "TallyTestSupport", dependencies: ["TallyStore"], path: "Tests/TallyTestSupport"),
        .testTarget(name: "TallyCoreTests", dependencies: ["TallyCore"]),
        .testTarget(name: "TallySparkTests", dependencies: ["TallySpark", "TallyMetrics", "TallyCore", "TallyCharts"]),
        .testTarget(name: "TallyProfilesTests", dependencies: ["TallyProfiles", "TallyCore", "TallyStore", "TallyMetrics", "TallyTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TallyEngineTests", dependencies: [
            "TallyEngine", "CSQLite", "TallyTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "TallyMetricsTests", dependencies: ["TallyMetrics", "TallyStore", "TallyTables", "TallyPublication", "TallyCore", "TallyEngine", "TallyTestSupport"]),
        .testTarget(name: "TallyChartsTests", dependencies: ["TallyCharts", "TallyMetrics", "TallyTestSupport"], exclude: ["References"]),
        .testTarget(name: "TallyCSVTests", dependencies: ["TallyCSV"]),
        .testTarget(name: "TallyXLSXTests", dependencies: ["TallyXLSX"], exclude: ["Fixtures"]),
        .testTarget(name: "TallyFilesTests", dependencies: ["TallyFiles", "TallyTestSupport"]),
        .testTarget(name: "TallyTablesTests", dependencies: ["TallyTables", "TallyStore", "TallyEngine", "TallyCore", "TallyTestSupport"]),
        .testTarget(name: "TallyStoreTests", dependencies: ["TallyStore", "TallyTables", "TallyCore", "TallyTestSupport"],
                    exclude: ["Fixtures", "Schema"]),
        .testTarget(name: "TallyBulletinTests", dependencies: ["TallyBulletin", "TallyPublication", "TallyStore", "TallyTables", "TallyMetrics", "TallyCore", "TallyTestSupport"]),
        .testTarget(name: "TallyCLITests", dependencies: ["TallyCLI", "TallySample", "TallyFuzz", "TallyStore", "TallyTables", "TallyPublication", "TallyCore", "TallyTestSupport"]),
    ]
)
