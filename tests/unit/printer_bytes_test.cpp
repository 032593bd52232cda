// The printer driver against a fake printer on a pty that the test drives byte by byte: its
// replies split across reads, noise between them, an automatic status block in pieces, a
// printer that stops answering or runs out of paper in the middle of a job. The driver reads
// through DeadlineStream, so these exercise its deadlines and its read-ahead as a real serial
// printer would (hardware.md "Thermal printers").
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hallq/escpos/printer.hpp"
#include "hallq_catch.hpp"

namespace {

using namespace hallq::escpos;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

// A printer at the master end of a pty. It answers GS a (with an ASB block), DLE EOT n and
// GS r 1 the way `behaviour` says, one byte at a time; every other byte is job data.
class FakePrinter {
 public:
  struct Behaviour {
    bool asb = true;            // an automatic status block after GS a, one byte every 5 ms
    bool noise = true;          // an XON before each DLE EOT reply
    bool answer_gs_r = true;
    bool paper_out_after_job = false;  // DLE EOT 4 and ASB report paper out once the job came
  };
  explicit FakePrinter(Behaviour b) : b_(b) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master_ >= 0);
    REQUIRE(::grantpt(master_) == 0);
    REQUIRE(::unlockpt(master_) == 0);
    path_ = ::ptsname(master_);
    thread_ = std::thread([this] { run(); });
  }
  ~FakePrinter() {
    stop_ = true;
    thread_.join();
    ::close(master_);
  }
  std::string spec() const { return "serial:" + path_; }
  Bytes job() {
    std::lock_guard lock(m_);
    return job_;
  }

 private:
  void send(std::initializer_list<std::uint8_t> bytes, std::chrono::milliseconds gap) {
    for (std::uint8_t c : bytes) {
      std::this_thread::sleep_for(gap);
      REQUIRE(::write(master_, &c, 1) == 1);
    }
  }
  bool paper_out() {
    std::lock_guard lock(m_);
    return b_.paper_out_after_job && job_.size() >= 8;
  }
  // Answers the command at the front of `in`, or takes its first byte as job data.
  void consume(Bytes& in) {
    auto is = [&](std::initializer_list<std::uint8_t> cmd) { return in.size() >= cmd.size() && std::equal(cmd.begin(), cmd.end(), in.begin()); };
    if (in.size() < 3 && (in[0] == 0x1D || in[0] == 0x10)) return;  // a command still arriving
    if (is({0x1D, 0x61, 0x0E})) {
      if (b_.asb) send({0x10, 0x00, static_cast<std::uint8_t>(paper_out() ? 0x0C : 0x00), 0x00}, 5ms);
    } else if (is({0x10, 0x04})) {
      const std::uint8_t n = in[2];
      if (b_.noise) send({0x11}, 1ms);
      send({static_cast<std::uint8_t>(n == 4 && paper_out() ? 0x72 : 0x12)}, 2ms);
    } else if (is({0x1D, 0x72, 0x01})) {
      if (b_.answer_gs_r && !paper_out()) send({0x00}, 20ms);
    } else {
      std::lock_guard lock(m_);
      job_.push_back(in[0]);
      in.erase(in.begin());
      return;
    }
    in.erase(in.begin(), in.begin() + 3);
  }
  void run() {
    Bytes in;
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      std::uint8_t buf[64];
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) continue;
      in.insert(in.end(), buf, buf + n);
      for (std::size_t before = in.size() + 1; !in.empty() && in.size() < before;) {
        before = in.size();
        consume(in);
      }
    }
  }

  Behaviour b_;
  int master_ = -1;
  std::string path_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex m_;
  Bytes job_;
};

const Bytes kJob = {0x1B, 0x40, 'H', 'A', 'L', 'L', 'Q', '\n', 0x1B, 0x64, 0x03};

}  // namespace

TEST_CASE("printer bytes: replies split and mixed with noise still confirm the job", "[printer_bytes]") {
  FakePrinter fake({});
  auto spec = parse_printer_spec(fake.spec());
  REQUIRE(spec);
  Printer p(*spec);
  const JobResult r = p.print(kJob);
  CHECK(r.outcome == JobOutcome::Printed);
  CHECK(r.confirmed);  // the GS r answer, after the job
  CHECK(r.before.condition() == Condition::Ok);
  CHECK(fake.job() == kJob);
  // Once more on the same connection: the ASB block and the stale bytes were drained.
  const JobResult again = p.print(kJob);
  CHECK(again.outcome == JobOutcome::Printed);
  CHECK(again.confirmed);
}

TEST_CASE("printer bytes: paper out in the middle of a job is suspect, and the next job refused", "[printer_bytes]") {
  FakePrinter fake({.paper_out_after_job = true});
  auto spec = parse_printer_spec(fake.spec());
  REQUIRE(spec);
  PrinterTimeouts t;
  t.poll = Millis{100};
  Printer p(*spec, t);
  const JobResult r = p.print(kJob);
  CHECK(r.outcome == JobOutcome::Suspect);
  CHECK_FALSE(r.confirmed);
  CHECK(r.after.condition() == Condition::PaperOut);
  const JobResult next = p.print(kJob);
  CHECK(next.outcome == JobOutcome::Refused);
  CHECK(next.before.condition() == Condition::PaperOut);
}

TEST_CASE("printer bytes: a printer that never answers GS r is confirmed by DLE EOT alone", "[printer_bytes]") {
  FakePrinter fake({.asb = false, .answer_gs_r = false});
  auto spec = parse_printer_spec(fake.spec());
  REQUIRE(spec);
  PrinterTimeouts t;
  t.complete = Millis{800};
  t.poll = Millis{100};
  Printer p(*spec, t);
  const JobResult r = p.print(kJob);
  CHECK(r.outcome == JobOutcome::Printed);
  CHECK_FALSE(r.confirmed);
  CHECK(r.error.find("GS r") != std::string::npos);
}
