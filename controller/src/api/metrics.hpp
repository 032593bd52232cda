#pragma once
// Counters and a latency histogram rendered in the Prometheus text format.
// Thread-safety: I/O thread only.
#include <array>
#include <cstdint>
#include <string>

namespace hallq::api {

struct Metrics {
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                   0.05,   0.1,   0.25,  0.5,   1,    2.5};
  std::uint64_t tickets_issued = 0;
  std::uint64_t tickets_called = 0;
  std::uint64_t tickets_voided = 0;   // issued, then voided by their kiosk (print failed)
  std::uint64_t events = 0;
  std::uint64_t commits = 0;          // transactions
  std::uint64_t commit_failures = 0;
  std::uint64_t requests = 0;
  std::uint64_t rejected_429 = 0;
  std::uint64_t connections_refused = 0;  // answered 503 at [server] max_connections
  std::uint64_t connections_refused_address = 0;   // one address over max_connections_per_address
  std::uint64_t connections_refused_reserved = 0;  // the reserve only takes who shows a credential
  std::uint64_t idle_connections_cut = 0;          // no complete first request in first_request_timeout_s
  std::uint64_t slow_requests_cut = 0;    // not complete within [server] request_timeout_s
  std::uint64_t tls_handshakes_failed = 0;  // on server.tls_listen: plain HTTP, or a failed handshake
  std::array<std::uint64_t, kBuckets.size()> latency_counts{};
  std::uint64_t latency_count = 0;
  double latency_sum = 0;

  void observe_latency(double seconds) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      if (seconds <= kBuckets[i]) latency_counts[i]++;
    latency_count++;
    latency_sum += seconds;
  }
};

}  // namespace hallq::api
