#pragma once
// Talking to one printer: a transport (TCP 9100, /dev/usb/lp0, serial, or a file for
// debugging) opened from a spec, real-time status queries, and jobs with deadlines. The
// transport is an Asio stream (tcp::socket, or posix::stream_descriptor for a device or a
// file), each read and write bounded by its deadline (DeadlineStream). Printer is used by one
// thread at a time; PrintQueue gives it an asynchronous interface (one
// worker thread per printer, jobs serialized, a completion callback per job).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/common/serial_worker.hpp"
#include "hallq/escpos/status.hpp"

namespace hallq::escpos {

using Millis = std::chrono::milliseconds;

// tcp://HOST:PORT | usb:/dev/usb/lp0 | serial:/dev/ttyUSB0[@BAUD] | file:PATH
struct PrinterSpec {
  enum class Kind { Tcp, Usb, Serial, File } kind = Kind::Tcp;
  std::string host;  // tcp
  int port = 9100;   // tcp
  std::string path;  // usb, serial, file
  int baud = 9600;   // serial
  std::string text;  // as given
};
Expected<PrinterSpec, std::string> parse_printer_spec(const std::string& spec);

struct PrinterTimeouts {
  Millis connect{3000};
  Millis write{5000};       // a printer out of paper stops reading: the job fails here
  Millis status_reply{400}; // per DLE EOT query; no answer = status unknown
  Millis complete{6000};    // after a job: until its GS r 1 confirmation arrives
  Millis poll{500};         // meanwhile, DLE EOT every so often to notice a stopped printer
  Millis backoff_min{500};
  Millis backoff_max{30000};
  // Confirm each job with GS r 1 (answered once the job is printed). Off for printers that
  // print "r" or hang on it; a printer that never answers GS r but answers DLE EOT is
  // detected and then confirmed by DLE EOT alone.
  bool confirm_in_order = true;
  // Enable automatic status back (GS a 0x0E: online/offline, errors, paper sensor) on each
  // connection, so a printer that stops in the middle of a job says so at once instead of at
  // the next DLE EOT poll.
  bool asb = true;
};

enum class JobOutcome {
  Printed,      // sent and confirmed: GS r 1 answered after it (the paper may have run out
                // just after: see `after`); or, for printers without GS r, the status after
                // it shows nothing wrong; or a printer that never answers anything
  Refused,      // not sent: the status before showed paper out / cover open / offline
  Failed,       // sending failed or stalled (connection, deadline); may be partly printed
  Suspect,      // sent, not confirmed, and the printer reports a fault (paper ran out in
                // the middle, cover opened) or stopped answering: may be partly printed
};
std::string_view to_string(JobOutcome o);

struct JobResult {
  JobOutcome outcome = JobOutcome::Failed;
  Status before;
  Status after;
  bool confirmed = false;  // GS r 1 answered: everything in the job went through the printer
  std::string error;  // for Failed/Refused/Suspect: why
  Millis took{0};
};

class Printer {
 public:
  explicit Printer(PrinterSpec spec, PrinterTimeouts t = {});
  ~Printer();
  Printer(const Printer&) = delete;
  Printer& operator=(const Printer&) = delete;

  // DLE EOT 1, 2, 4 after draining stale input; unknown if the printer never answers.
  Expected<Status, std::string> status();
  JobResult print(const std::vector<std::uint8_t>& job);
  const PrinterSpec& spec() const { return spec_; }

 private:
  Expected<bool, std::string> ensure_open();
  void close();
  Expected<bool, std::string> write_all(const std::uint8_t* p, size_t n, Millis deadline);
  int read_byte(Millis wait);  // -1 on timeout or error
  // One reply from the printer: a DLE EOT byte, a GS r byte or a whole ASB block (folded
  // into asb_). Noise is skipped. -1 on timeout.
  enum class Reply { None, DleEot, GsR, Asb };
  Reply read_reply(Millis wait, std::uint8_t& byte);
  void drain();
  void failed();  // close and schedule the next attempt with back-off
  // Waits for the job's GS r reply, polling DLE EOT meanwhile; fills r.
  void confirm(JobResult& r);

  struct Link;  // the open transport and what it read ahead (printer.cpp)
  Expected<bool, std::string> connect_tcp();
  Expected<bool, std::string> open_path();

  PrinterSpec spec_;
  PrinterTimeouts t_;
  std::unique_ptr<Link> link_;
  bool readable_ = true;
  int gs_r_outstanding_ = 0;   // GS r queries sent on this connection and not yet answered
  bool gs_r_works_ = true;     // false once the printer is seen to ignore GS r
  Status asb_;                 // the last automatic status block, if the printer sends them
  Millis backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
};

class PrintQueue {
 public:
  using Done = std::function<void(const JobResult&)>;
  explicit PrintQueue(PrinterSpec spec, PrinterTimeouts t = {});
  // The destructor finishes the queued jobs (the worker's), then stops.
  void submit(std::vector<std::uint8_t> job, Done done);
  size_t pending() const;  // jobs not yet started

 private:
  Printer printer_;
  std::atomic<size_t> pending_{0};
  SerialWorker worker_;  // last: its jobs use the printer
};

}  // namespace hallq::escpos
