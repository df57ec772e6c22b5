import Dispatch
import FlyingFox
import Foundation
import Prometheus
import Synchronization

/// Serves a registry's exposition at `/metrics` (Prometheus text format 0.0.4). FlyingFox
/// runs it on Swift's cooperative threads, never on the capture's: a slow or stuck scraper
/// waits on its own socket.
public final class MetricsServer: Sendable {
  private let server: HTTPServer
  private let task: Task<Void, Never>

  public struct StartError: Error, CustomStringConvertible {
    public var description: String
  }

  /// `ADDR:PORT`, `[IPv6]:PORT` or `:PORT` (every IPv4 address).
  public static func parse(_ text: String) -> (host: String, port: UInt16)? {
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
      return nil
    }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "0.0.0.0" : host, port)
  }

  /// Listens on `address` (as `parse` reads it) and serves `registry`; throws when it cannot
  /// listen there (a bad address, a port in use).
  public init(address text: String, registry: PrometheusCollectorRegistry) throws {
    guard let (host, port) = Self.parse(text) else {
      throw StartError(description: "--metrics \(text): give ADDRESS:PORT, e.g. 127.0.0.1:9167")
    }
    do {
      server =
        host.contains(":")
        ? HTTPServer(address: try .inet6(ip6: host, port: port), logger: .disabled)
        : HTTPServer(address: try .inet(ip4: host, port: port), logger: .disabled)
    } catch {
      throw StartError(description: "--metrics \(text): not an IP address and port")
    }
    let server = server
    let failure = FailureBox()
    let outcome = DispatchSemaphore(value: 0)
    task = Task.detached {
      await server.appendRoute("GET /metrics") { _ in
        HTTPResponse(
          statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
          body: Data(registry.emitToBuffer()))
      }
      do { try await server.run() } catch {
        failure.set("\(error)")
        outcome.signal()
      }
    }
    Task.detached {
      if (try? await server.waitUntilListening(timeout: 5)) != nil { outcome.signal() }
    }
    outcome.wait()
    if let why = failure.get() {
      task.cancel()
      throw StartError(description: "--metrics \(text): cannot listen: \(why)")
    }
  }

  /// Closes the listening socket and the connections.
  public func stop() {
    let done = DispatchSemaphore(value: 0)
    let server = server
    Task.detached {
      await server.stop(timeout: 0.5)
      done.signal()
    }
    _ = done.wait(timeout: .now() + 2)
    task.cancel()
  }
}

/// The server task's error, read by the thread that waited for it.
private final class FailureBox: Sendable {
  private let message = Mutex<String?>(nil)
  func set(_ text: String) { message.withLock { $0 = $0 ?? text } }
  func get() -> String? { message.withLock { $0 } }
}
