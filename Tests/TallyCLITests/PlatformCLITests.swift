import Foundation
import Testing

@Suite struct PlatformCLITests {
    let header = "request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome"

    func row(_ id: String, _ platform: String) -> String {
        "\(id),\(platform),,image,regulator,ai,2024-08-01T10:00:00+09:00,,pending"
    }

    /// The sample loaded with the shipped registry (run from the Tally folder) and without any
    /// (run elsewhere: names as written, as before the registry) gives identical figures.
    @Test func theSampleFiguresDoNotChangeWithTheRegistry() throws {
        let dir = TempDir()
        let sample = ["arrests", "takedowns", "victims"].map { packageRoot.appendingPathComponent("Data/sample/\($0)-2024.csv").path }
        let with = dir.path("with.sqlite"), without = dir.path("without.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", with] + sample, cwd: packageRoot).status == 0)
        #expect(try run(tallyBinary, ["ingest", "--db", without] + sample, cwd: dir.url).status == 0)
        #expect(try tally("status", "--db", with, cwd: packageRoot).stdout.contains("not in the registry") == false)
        let a = try run(tallyBinary, ["stats", "--db", with, "--period", "2024-08", "--format", "json"], cwd: packageRoot)
        let b = try run(tallyBinary, ["stats", "--db", without, "--period", "2024-08", "--format", "json"], cwd: packageRoot)
        #expect(a.status == 0 && !a.stdout.isEmpty)
        // The vintage's `finished_at` is the time of each load; everything else must agree.
        func figures(_ json: String) -> [Substring] { json.split(separator: "\n").filter { !$0.contains("\"finished_at\"") } }
        #expect(figures(a.stdout).count == a.stdout.split(separator: "\n").count - 1)
        #expect(figures(a.stdout) == figures(b.stdout))
    }

    @Test func unregisteredNamesAreReportedAndStrictQuarantinesThem() throws {
        let dir = TempDir()
        let csv = dir.write("t.csv", [header, row("A1", "텔레그램"), row("A2", "Telegr\u{0430}m")].joined(separator: "\n") + "\n")
        let db = dir.path("s.sqlite")
        let r = try tally("ingest", "--db", db, csv, cwd: packageRoot)
        #expect(r.status == 0)
        #expect(r.stdout.contains("\(csv): platform not in the registry, loaded as written: 'Telegr\\u{430}m' (1 row; resembles Telegram)"), "\(r.stdout)")
        let s = try tally("status", "--db", db, cwd: packageRoot)
        #expect(s.stdout.contains("Platform not in the registry: 'Telegr\\u{430}m' (1 row; resembles Telegram)"), "\(s.stdout)")
        #expect(try sqlite3(db, "SELECT platform || '|' || platform_text FROM takedowns WHERE request_id = 'A1'") == "Telegram|텔레그램")

        let strictDB = dir.path("strict.sqlite")
        let strict = try tally("ingest", "--db", strictDB, "--strict-platforms", csv, cwd: packageRoot)
        #expect(strict.status == 0)
        #expect(try sqlite3(strictDB, "SELECT line || '|' || column_name || '|' || reason FROM quarantine")
                == "3|platform|platform 'Telegr\\u{430}m' is not in the platform registry; it resembles Telegram "
                + "(--strict-platforms; add it as an alias in the registry, or correct the file)")
        // Without a registry, strict has nothing to check against: a usage error, nothing loaded.
        let none = try tally("ingest", "--db", dir.path("none.sqlite"), "--strict-platforms", csv, cwd: dir.url)
        #expect(none.status == 64 && none.stderr.contains("--strict-platforms needs a platform registry"), "\(none.stderr)")
    }

    @Test func aBadRegistryIsOneLineNamingFileAndKey() throws {
        let dir = TempDir()
        let reg = dir.write("p.yaml", "platforms:\n  - name: X\n    aliases: [Twitter]\n    origin: overseas\n"
            + "  - name: Twitter Inc\n    aliases: [twitter]\n    origin: overseas\n")
        let csv = dir.write("t.csv", [header, row("A1", "X")].joined(separator: "\n") + "\n")
        let r = try tally("ingest", "--db", dir.path("s.sqlite"), "--platforms", reg, csv)
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(reg): key 'platforms[2]': the name 'twitter' is claimed by both 'X'"), "\(r.stderr)")
    }
}
