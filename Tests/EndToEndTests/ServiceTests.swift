import Foundation
import Testing

/// What contrib/ gives for running sniff as a service.
struct ServiceTests {
  /// The sample alert rules load, and fire on the series they watch (promtool's rule tests).
  @Test(.enabled(if: which("promtool") != nil, "needs promtool (make test-deps installs it)"))
  func alertRulesPassPromtool() throws {
    let directory = "\(repositoryRoot)/contrib/prometheus"
    let check = try run(which("promtool")!, ["check", "rules", "\(directory)/dhcpscope-alerts.yml"])
    #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
    let test = try run(which("promtool")!, ["test", "rules", "\(directory)/dhcpscope-alerts.test.yml"])
    #expect(test.status == 0, "\(test.stdout) \(test.stderr)")
  }

  /// As the systemd unit runs it: an unprivileged user with CAP_NET_RAW as its one (ambient)
  /// capability captures and serves metrics; without the capability it is refused, exit 1.
  @Test(.enabled(if: getuid() == 0 && which("setpriv") != nil, "needs root to change user, and setpriv"))
  func capturesUnprivilegedWithCapNetRaw() throws {
    let binary = NSTemporaryDirectory() + "dhcpscope-unprivileged-\(getpid())"
    try? FileManager.default.removeItem(atPath: binary)
    try FileManager.default.copyItem(atPath: dhcpscopeBinary, toPath: binary)
    defer { try? FileManager.default.removeItem(atPath: binary) }
    let asNobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    let capable = try run(
      which("setpriv")!,
      asNobody + [
        "--inh-caps=+net_raw", "--ambient-caps=+net_raw", "--bounding-set=-all,+net_raw", binary, "sniff", "-i", "lo",
        "--format", "jsonl", "--duration", "0.5",
      ])
    #expect(capable.status == 0, "\(capable.stderr)")
    #expect(try jsonLines(capable.stdout).last?["summary"] != nil)
    let refused = try run(which("setpriv")!, asNobody + [binary, "sniff", "-i", "lo", "--duration", "0.5"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("CAP_NET_RAW"))
  }
}
