import Foundation
import Testing

/// Vintages end to end: a bulletin verifies after later loads, updates, corrections and
/// retractions; `verify --now` lists what later data revise; `--vintage` reproduces what was
/// known; `tally retract` and `--revise`.
@Suite struct VintageCLITests {
    static let header = "request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome"

    /// August's requests, some pending, as first exported.
    static func august(pendingFrom: Int) -> String {
        var lines = [header]
        for i in 0..<60 {
            let platform = ["Naver", "X", "Kakao"][i % 3]
            let at = String(format: "2024-08-%02dT10:00:00+09:00", 1 + i % 28)
            if i >= pendingFrom {
                lines.append("R\(i),\(platform),,image,police,ai,\(at),,pending")
            } else {
                lines.append("R\(i),\(platform),,image,police,ai,\(at),\(String(format: "2024-08-%02dT20:00:00+09:00", 1 + i % 28)),removed")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aBulletinVerifiesForEverAndNowListsRevisions() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", db, dir.write("aug-1.csv", Self.august(pendingFrom: 40))).status == 0)
        let first = try tally("stats", "--db", db, "--period", "2024-08", "--as-of", "2024-09-30", "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        let b = try tally("bulletin", "--db", db, "--period", "2024-08", "--lang", "en", "--as-of", "2024-09-30",
                          "--out", dir.path("b"), cwd: packageRoot)
        #expect(b.status == 0, "\(b.stderr)")
        let manifest = dir.path("b/manifest.json")

        // September's export resolves the pending requests (updates); a wrong file is loaded and retracted;
        // a correction changes a platform.
        let september = dir.write("aug-2.csv", Self.august(pendingFrom: 60))
        let up = try tally("ingest", "--db", db, "--format", "json", september)
        #expect(up.status == 0)
        #expect(up.stdout.contains("\"updated\" : 20"), "\(up.stdout)")
        let wrong = dir.write("wrong.csv", Self.header + "\nW1,X,,image,police,ai,2024-08-03T10:00:00+09:00,,pending\n")
        #expect(try tally("ingest", "--db", db, wrong).status == 0)
        let r = try tally("retract", "--db", db, "--file", "wrong.csv", "--reason", "sent by mistake")
        #expect(r.status == 0 && r.stdout.contains("1 withdrawn"), "\(r.stdout) \(r.stderr)")
        let fix = dir.write("fix.csv", Self.header + "\nR1,Daum,,image,police,ai,2024-08-02T10:00:00+09:00,2024-08-02T20:00:00+09:00,removed\n")
        let plain = try tally("ingest", "--db", db, "--format", "json", fix)
        #expect(plain.stdout.contains("\"quarantined\" : 1"), "a correction without --revise is a conflict")
        // The same file again, as a revision: the conflict becomes a correction.
        let revised = try tally("ingest", "--db", db, "--revise", "--reason", "platform misread", "--format", "json", fix)
        #expect(revised.stdout.contains("\"corrected\" : 1"), "\(revised.stdout)")
        #expect(try tally("ingest", "--db", db, "--revise", fix).status == 64, "--revise needs --reason")

        // The bulletin still verifies at its vintage.
        let v = try tally("verify", "--db", db, "--quiet", manifest)
        #expect(v.status == 0, "\(v.stdout)")
        #expect(v.stdout.contains("vintage batch 1"))
        // --now lists the revised figures: the requests resolved since changed compliance.
        let now = try tally("verify", "--db", db, "--quiet", "--now", manifest)
        #expect(now.status == 0)
        #expect(now.stdout.contains("REVISED  takedowns.within_deadline"), "\(now.stdout)")
        #expect(!now.stdout.contains("REVISED  takedowns.requests "), "\(now.stdout)")

        // What was known then: --vintage 1 gives the first figures again, the latest do not.
        let again = try tally("stats", "--db", db, "--period", "2024-08", "--as-of", "2024-09-30", "--vintage", "1", "--format", "json")
        #expect(again.stdout == first.stdout)
        let latest = try tally("stats", "--db", db, "--period", "2024-08", "--as-of", "2024-09-30", "--format", "json")
        #expect(latest.stdout != first.stdout)
        #expect(latest.stdout.contains("\"batch\": 6"), "\(latest.stdout)")
        // The history differs (another store): verify fails.
        let other = dir.path("other.sqlite")
        #expect(try tally("ingest", "--db", other, dir.write("aug-x.csv", Self.august(pendingFrom: 30))).status == 0)
        #expect(try tally("verify", "--db", other, "--quiet", manifest).status == 1)
        // A vintage that does not exist is one line.
        let bad = try tally("stats", "--db", db, "--period", "2024-08", "--vintage", "99")
        #expect(bad.status == 1 && bad.stderr.contains("no batch 99"), "\(bad.stderr)")
        // Status counts the versions.
        let s = try tally("status", "--db", db, "--format", "json")
        #expect(s.stdout.contains("\"updated\" : 20") && s.stdout.contains("\"corrected\" : 1") && s.stdout.contains("\"retracted\" : 1"),
                "\(s.stdout)")
    }

    /// The manifest names the build that made it: the linker's GNU build ID of the `tally`
    /// binary, as `readelf` reads it from the file.
    @Test func theManifestNamesTheBuild() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", db, dir.write("aug.csv", Self.august(pendingFrom: 50))).status == 0)
        let b = try tally("bulletin", "--db", db, "--period", "2024-08", "--lang", "en", "--out", dir.path("b"), cwd: packageRoot)
        #expect(b.status == 0, "\(b.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("b/manifest.json")))) as! [String: Any]
        let notes = try run("/usr/bin/readelf", ["-n", tallyBinary]).stdout
        let id = notes.split(separator: "\n").first { $0.contains("Build ID:") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces)
        #expect(id != nil && id!.count >= 16)
        #expect(manifest["tool_build"] as? String == id)
    }
}
