import ArgumentParser
import Foundation
import TallyCore
import TallyMetrics
import TallySpark

/// Which engine computes the figures: Tally's own over the store, or Apache Spark over input
/// files on any path Spark reads (`--engine spark --input PATH…`).
enum Engine: String, ExpressibleByArgument, CaseIterable {
    case local, spark
}

/// `--engine`, and the Spark engine's options (`stats`, `rank`, `bulletin`).
struct EngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who computes the figures: local (Tally's engine over the store) or spark (Apache Spark over --input files).",
                               valueName: "engine"))
    var engine: Engine = .local

    @Option(name: .customLong("spark-master"), help: ArgumentHelp(
        "Spark master URL: local[*] (default), local[N], spark://host:7077, yarn, k8s://https://host:port.", valueName: "url"))
    var sparkMaster: String = "local[*]"

    @Option(name: .customLong("input"), help: ArgumentHelp(
        "An input file or glob on any file system Spark reads (file:, hdfs:, s3a:, …); repeatable. Spark engine only.", valueName: "path"))
    var inputs: [String] = []

    /// `--input-kind`, not `--kind`: `tally rank --kind` chooses the league table.
    @Option(name: .customLong("input-kind"), help: ArgumentHelp("Kind of every --input file (default: told from each header).", valueName: "kind"))
    var kind: RecordKind?

    @Option(name: .customLong("spark-submit"), help: ArgumentHelp(
        "The spark-submit program (default: $SPARK_HOME/bin/spark-submit, else spark-submit on the PATH).", valueName: "path"))
    var sparkSubmit: String?

    @Option(name: .customLong("spark-quarantine"), help: ArgumentHelp(
        "Where Spark writes the quarantined rows as JSON lines (default: tally-quarantine beside the first input).", valueName: "path"))
    var sparkQuarantine: String?

    @Option(name: .customLong("spark-conf"), help: ArgumentHelp("A spark-submit --conf KEY=VALUE; repeatable.", valueName: "key=value"))
    var sparkConf: [String] = []

    @Option(name: .customLong("spark-keep"), help: ArgumentHelp(
        "Keep the job (driver, job.json, result.json, spark.log) in this folder.", valueName: "dir"))
    var sparkKeep: String?

    @Option(help: ArgumentHelp("Platform registry for the Spark engine (default: Data/platforms.yaml when present).", valueName: "file"))
    var platforms: String?

    func validate() throws {
        if engine == .local && (!inputs.isEmpty || kind != nil) {
            throw ValidationError("--input and --input-kind are for --engine spark (the local engine reads the store: load files with `tally ingest`)")
        }
        if engine == .spark && inputs.isEmpty { throw ValidationError("--engine spark needs at least one --input PATH") }
    }

    var spark: SparkOptions {
        var o = SparkOptions()
        o.master = sparkMaster
        o.submit = sparkSubmit
        o.quarantineOut = sparkQuarantine
        o.conf = sparkConf
        o.keepDir = sparkKeep
        return o
    }

    /// Local paths made absolute (Spark's working folder may be another); URIs and absolute
    /// paths as given.
    var resolvedInputs: [String] {
        let cwd = FileManager.default.currentDirectoryPath
        return inputs.map { $0.contains("://") || $0.hasPrefix("/") || $0.hasPrefix("file:") ? $0 : cwd + "/" + $0 }
    }
}
