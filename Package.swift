// swift-tools-version:6.0
// Dependencies run one way: dhcpscope (CLI) → Pipeline → Report → Correlate → Dissect, and
// Pipeline → Capture → CPcap; the CLI → Monitoring → Pipeline for sniff's metrics. Only Capture imports the C module; Dissect imports nothing.
import PackageDescription

let package = Package(
  name: "dhcpscope",
  products: [
    .executable(name: "dhcpscope", targets: ["dhcpscope"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    // sniff --metrics: the Prometheus registry and exposition, and a small HTTP server with no
    // dependencies of its own (FlyingFox: BSD sockets and Swift concurrency, no SwiftNIO).
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CPcap",
      pkgConfig: "libpcap",
      providers: [.apt(["libpcap-dev"])]
    ),
    // The FILE* streams libpcap reads: gzip'd files through zlib (libpcap reads any FILE*,
    // but not gzip), plain files with a large buffer and no stdio locking.
    .target(name: "CStreams", linkerSettings: [.linkedLibrary("z")]),
    .target(name: "Capture", dependencies: ["CPcap", "CStreams"]),
    .target(name: "Dissect"),
    .target(
      name: "Correlate",
      dependencies: ["Dissect", .product(name: "Collections", package: "swift-collections")]),
    .target(name: "Report", dependencies: ["Correlate", "Dissect"]),
    // The reader, merge, threads, feed and sink every entry point shares: the commands,
    // the fuzzer and the tests.
    .target(
      name: "Pipeline",
      dependencies: [
        "Capture", "Dissect", "Correlate", "Report", .product(name: "Collections", package: "swift-collections"),
      ]),
    // sniff's Prometheus metrics, fed by the pipeline and served over HTTP off the capture's
    // threads.
    .target(
      name: "Monitoring",
      dependencies: [
        "Correlate", "Dissect", "Pipeline", .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "FlyingFox", package: "FlyingFox"),
      ]),
    // Packet construction for tests, crafted fixtures and the load generator.
    .target(name: "PacketCraft", dependencies: ["Dissect"]),
    .executableTarget(
      name: "dhcpscope-gen",
      dependencies: [
        "PacketCraft", "Capture", "Dissect",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // libFuzzer target over the whole file path; `make fuzz` builds it with -sanitize=fuzzer.
    .executableTarget(name: "fuzz-file", dependencies: ["Capture", "Correlate", "Dissect", "Pipeline", "Report"]),
    .executableTarget(
      name: "dhcpscope",
      dependencies: [
        "Capture", "Dissect", "Correlate", "Monitoring", "Pipeline", "Report",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "DissectTests", dependencies: ["Dissect", "PacketCraft"]),
    .testTarget(
      name: "CorrelateTests", dependencies: ["Correlate", "Dissect", "Capture", "Pipeline", "Report", "PacketCraft"]),
    .testTarget(name: "MonitoringTests", dependencies: ["Monitoring", "Correlate", "Dissect", "Pipeline"]),
    .testTarget(
      name: "EndToEndTests", dependencies: ["Capture", "Correlate", "Dissect", "Pipeline", "Report", "PacketCraft"]),
  ],
  swiftLanguageModes: [.v6]
)
