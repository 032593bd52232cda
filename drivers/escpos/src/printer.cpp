#include "hallq/escpos/printer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <variant>

#include "hallq/common/deadline_stream.hpp"
#include "hallq/common/serial.hpp"

namespace hallq::escpos {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using SteadyClock = std::chrono::steady_clock;

Expected<PrinterSpec, std::string> parse_printer_spec(const std::string& s) {
  PrinterSpec p;
  p.text = s;
  auto after = [&](const char* prefix) { return s.substr(std::strlen(prefix)); };
  if (s.rfind("tcp://", 0) == 0) {
    std::string hp = after("tcp://");
    auto colon = hp.rfind(':');
    p.kind = PrinterSpec::Kind::Tcp;
    p.host = colon == std::string::npos ? hp : hp.substr(0, colon);
    if (colon != std::string::npos) {
      std::string port = hp.substr(colon + 1);
      if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) || std::stoi(port) < 1 ||
          std::stoi(port) > 65535)
        return unexpected("printer '" + s + "': port must be 1..65535");
      p.port = std::stoi(port);
    }
    if (p.host.empty()) return unexpected("printer '" + s + "': no host");
  } else if (s.rfind("usb:", 0) == 0) {
    p.kind = PrinterSpec::Kind::Usb;
    p.path = after("usb:");
  } else if (s.rfind("serial:", 0) == 0) {
    p.kind = PrinterSpec::Kind::Serial;
    p.path = after("serial:");
    auto at = p.path.rfind('@');
    if (at != std::string::npos) {
      std::string baud = p.path.substr(at + 1);
      p.path = p.path.substr(0, at);
      if (baud != "9600" && baud != "19200" && baud != "38400" && baud != "57600" && baud != "115200")
        return unexpected("printer '" + s + "': baud is 9600, 19200, 38400, 57600 or 115200");
      p.baud = std::stoi(baud);
    }
  } else if (s.rfind("file:", 0) == 0) {
    p.kind = PrinterSpec::Kind::File;
    p.path = after("file:");
  } else {
    return unexpected("printer '" + s + "': expected tcp://HOST:PORT, usb:/dev/usb/lp0, serial:DEVICE[@BAUD] or file:PATH");
  }
  if (p.kind != PrinterSpec::Kind::Tcp && (p.path.empty() || p.path[0] != '/'))
    return unexpected("printer '" + s + "': needs an absolute path");
  return p;
}

std::string_view to_string(JobOutcome o) {
  switch (o) {
    case JobOutcome::Printed: return "printed";
    case JobOutcome::Refused: return "refused";
    case JobOutcome::Failed: return "failed";
    case JobOutcome::Suspect: return "suspect";
  }
  return "failed";
}

// The open transport: a TCP connection, or a device or file descriptor; and the bytes read
// from it that read_byte() has not handed out yet.
struct Printer::Link {
  template <std::size_t I>
  explicit Link(std::in_place_index_t<I> i) : s(i) {}
  template <class F>
  auto with(F f) {
    return std::visit(f, s);
  }
  std::variant<DeadlineStream<tcp::socket>, DeadlineStream<asio::posix::stream_descriptor>> s;
  std::array<std::uint8_t, 64> in{};
  std::size_t at = 0, end = 0;
};

Printer::Printer(PrinterSpec spec, PrinterTimeouts t) : spec_(std::move(spec)), t_(t) {}
Printer::~Printer() { close(); }

void Printer::close() {
  link_.reset();
  gs_r_outstanding_ = 0;  // a new connection: earlier queries will never be answered on it
}

void Printer::failed() {
  close();
  backoff_ = backoff_.count() == 0 ? t_.backoff_min : std::min(backoff_ * 2, t_.backoff_max);
  next_attempt_ = SteadyClock::now() + backoff_;
}

Expected<bool, std::string> Printer::connect_tcp() {
  auto link = std::make_unique<Link>(std::in_place_index<0>);
  auto& ds = std::get<0>(link->s);
  boost::system::error_code ec;
  tcp::resolver resolver(ds.io());
  const auto endpoints = resolver.resolve(spec_.host, std::to_string(spec_.port), ec);
  if (ec) return unexpected(spec_.text + ": " + ec.message());
  std::string why = "no address";
  for (const auto& e : endpoints) {
    ds.stream().close(ec);
    const auto r = ds.run([&](auto done) { ds.stream().async_connect(e.endpoint(), done); }, SteadyClock::now() + t_.connect);
    if (!r.ec) {
      ds.stream().set_option(tcp::no_delay(true), ec);
      link_ = std::move(link);
      return true;
    }
    why = r.ec.message();
  }
  return unexpected(spec_.text + ": cannot connect: " + why);
}

Expected<bool, std::string> Printer::open_path() {
  int flags = O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
  if (spec_.kind == PrinterSpec::Kind::File) flags |= O_WRONLY | O_CREAT | O_APPEND;
  else flags |= O_RDWR;
  const int fd = ::open(spec_.path.c_str(), flags, 0644);
  if (fd < 0) return unexpected(spec_.text + ": " + std::strerror(errno));
  if (spec_.kind == PrinterSpec::Kind::Serial) set_serial_raw(fd, spec_.baud);
  auto link = std::make_unique<Link>(std::in_place_index<1>);
  boost::system::error_code ec;
  std::get<1>(link->s).stream().assign(fd, ec);  // a plain file too: it never blocks
  if (ec) {
    ::close(fd);
    return unexpected(spec_.text + ": " + ec.message());
  }
  link_ = std::move(link);
  return true;
}

Expected<bool, std::string> Printer::ensure_open() {
  if (link_) return true;
  auto now = SteadyClock::now();
  if (now < next_attempt_) {
    auto ms = std::chrono::duration_cast<Millis>(next_attempt_ - now).count();
    return unexpected(spec_.text + ": reconnecting in " + std::to_string(ms) + " ms");
  }
  auto opened = spec_.kind == PrinterSpec::Kind::Tcp ? connect_tcp() : open_path();
  if (!opened) {
    failed();
    return opened;
  }
  readable_ = spec_.kind != PrinterSpec::Kind::File;
  backoff_ = Millis{0};
  if (readable_ && t_.asb) {
    const std::uint8_t q[3] = {0x1D, 0x61, 0x0E};  // GS a: online/offline, error, paper sensor
    if (auto w = write_all(q, sizeof q, t_.status_reply); !w) {
      std::string why = w.error();
      failed();
      return unexpected(why);
    }
  }
  return true;
}

Expected<bool, std::string> Printer::write_all(const std::uint8_t* p, size_t n, Millis budget) {
  const auto r = link_->with([&](auto& ds) { return ds.write_all({p, n}, SteadyClock::now() + budget); });
  if (!r.ec) return true;
  if (r.ec == asio::error::timed_out)
    return unexpected(spec_.text + ": the printer stopped taking data (" + std::to_string(n - r.n) +
                      " bytes not sent within " + std::to_string(budget.count()) + " ms)");
  return unexpected(spec_.text + ": write: " + r.ec.message());
}

int Printer::read_byte(Millis wait) {
  if (!readable_ || !link_) return -1;
  Link& l = *link_;
  if (l.at == l.end) {
    // Nothing read ahead: whatever has arrived, or wait for it. End of file (the peer
    // closed, or a USB printer with nothing to say) and errors count as nothing.
    const auto r = l.with([&](auto& ds) { return ds.read_some(l.in, SteadyClock::now() + wait); });
    if (r.ec || r.n == 0) return -1;
    l.at = 0;
    l.end = r.n;
  }
  return l.in[l.at++];
}

Printer::Reply Printer::read_reply(Millis wait, std::uint8_t& byte) {
  auto deadline = SteadyClock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
    int b = read_byte(std::max(left, Millis{0}));
    if (b < 0) return Reply::None;
    byte = static_cast<std::uint8_t>(b);
    if (is_dle_eot_reply(byte)) return Reply::DleEot;
    if ((byte & 0x93) == 0x10) {  // the first byte of an automatic status block
      std::uint8_t block[4] = {byte, 0, 0, 0};
      bool whole = true;
      for (int i = 1; i < 4 && whole; ++i) {
        int c = read_byte(t_.status_reply);
        if (c < 0) whole = false;
        else block[i] = static_cast<std::uint8_t>(c);
      }
      if (whole) {
        if (auto st = parse_asb(block)) {
          asb_ = *st;
          return Reply::Asb;
        }
      }
      continue;  // not a block after all: noise
    }
    if (is_gs_r_reply(byte)) return Reply::GsR;
    // XON/XOFF and other noise: skip
  }
}

void Printer::drain() {
  if (!readable_) return;
  // Answers to earlier queries may still be in flight; a late GS r answer belongs to an
  // earlier job (printed after all, e.g. once paper was loaded) and is counted off.
  std::uint8_t b;
  for (;;) {
    Reply r = read_reply(Millis{0}, b);
    if (r == Reply::None) break;
    if (r == Reply::GsR && gs_r_outstanding_ > 0) gs_r_outstanding_--;
  }
}

Expected<Status, std::string> Printer::status() {
  if (auto o = ensure_open(); !o) return unexpected(o.error());
  Status s;
  if (!readable_) return s;  // a file never answers: unknown
  drain();
  for (int n : {1, 2, 4}) {
    const std::uint8_t q[3] = {0x10, 0x04, static_cast<std::uint8_t>(n)};
    if (auto w = write_all(q, sizeof q, t_.status_reply); !w) {
      failed();
      return unexpected(w.error());
    }
    std::uint8_t b = 0;
    Reply r;
    do {
      r = read_reply(t_.status_reply, b);
      if (r == Reply::GsR && gs_r_outstanding_ > 0) gs_r_outstanding_--;
    } while (r == Reply::GsR || r == Reply::Asb);
    if (r == Reply::None) return Status{};  // silent printer: unknown, printing goes on
    if (!apply_dle_eot(s, n, b)) return Status{};
  }
  return s;
}

namespace {
bool blocks_printing(Condition c) {
  return c == Condition::PaperOut || c == Condition::CoverOpen || c == Condition::Offline || c == Condition::Error;
}
}  // namespace

void Printer::confirm(JobResult& r) {
  // Everything sent before GS r is printed when its answer comes (hardware.md): that is the
  // confirmation. Meanwhile DLE EOT (real-time, answered at once even when stopped) and
  // automatic status blocks tell a printer that stopped in the middle of the job from one
  // still printing. A real-time answer can overtake a GS r answer for a job that has just
  // finished (the paper ending with its last line), so after a fault is reported the GS r
  // answer still has a short grace period before the job is called unconfirmed.
  const auto start = SteadyClock::now();
  auto deadline = start + t_.complete;
  auto next_poll = start + t_.poll;
  bool fault = false;
  int answers = 0;
  int asked = 0;  // the DLE EOT n in flight, 0: none
  Status seen;    // what the polls reported
  const int wanted = gs_r_outstanding_;
  int got = 0;
  auto fault_seen = [&](const Status& s) {
    r.after = s;
    if (!fault) deadline = std::min(deadline, SteadyClock::now() + std::min(t_.poll, Millis{400}));
    fault = true;
  };
  while (SteadyClock::now() < deadline) {
    std::uint8_t b = 0;
    Reply rep = read_reply(Millis{50}, b);
    if (rep == Reply::GsR) {
      if (gs_r_outstanding_ > 0) gs_r_outstanding_--;
      if (++got >= wanted) {
        r.confirmed = true;
        r.after = Status{};
        apply_gs_r1(r.after, b);
        return;
      }
    } else if (rep == Reply::DleEot && asked) {
      answers++;
      apply_dle_eot(seen, asked, b);
      asked = 0;
      if (blocks_printing(seen.condition())) fault_seen(seen);
    } else if (rep == Reply::Asb) {
      answers++;
      if (blocks_printing(asb_.condition())) fault_seen(asb_);
    }
    if (fault) continue;  // only the GS r answer matters now
    if (SteadyClock::now() >= next_poll && !asked) {
      // Alternate the paper sensor and the offline cause (cover open, stopped at paper end).
      asked = (answers + got) % 2 == 0 ? 4 : 2;
      const std::uint8_t q[3] = {0x10, 0x04, static_cast<std::uint8_t>(asked)};
      if (!write_all(q, sizeof q, t_.status_reply)) return;
      next_poll = SteadyClock::now() + t_.poll;
    } else if (asked && SteadyClock::now() >= next_poll) {
      asked = 0;  // unanswered: ask again
    }
  }
  if (fault) return;  // r.after holds the fault
  // No GS r answer in time. A printer that answers DLE EOT with nothing wrong has printed
  // the job (and does not implement GS r: stop asking it); one that stopped answering is
  // suspect.
  if (answers > 0) {
    gs_r_works_ = false;
    gs_r_outstanding_ = 0;
    r.after = seen;
    r.error = "no answer to GS r 1; confirmed by DLE EOT only from now on";
  }
}

JobResult Printer::print(const std::vector<std::uint8_t>& job) {
  auto t0 = SteadyClock::now();
  JobResult r;
  auto took = [&] { r.took = std::chrono::duration_cast<Millis>(SteadyClock::now() - t0); };
  auto before = status();
  if (!before) {
    r.outcome = JobOutcome::Failed;
    r.error = before.error();
    took();
    return r;
  }
  r.before = *before;
  Condition c = r.before.condition();
  if (blocks_printing(c)) {
    r.outcome = JobOutcome::Refused;
    r.error = std::string("printer reports ") + std::string(to_string(c));
    took();
    return r;
  }
  // A printer that has never answered gets no GS r (it could not answer it either).
  const bool in_order = t_.confirm_in_order && gs_r_works_ && readable_ && r.before.answered;
  std::vector<std::uint8_t> bytes;
  const std::vector<std::uint8_t>* out = &job;
  if (in_order) {
    bytes.reserve(job.size() + 3);
    bytes = job;
    bytes.insert(bytes.end(), {0x1D, 0x72, 0x01});
    out = &bytes;
  }
  if (auto w = write_all(out->data(), out->size(), t_.write); !w) {
    r.outcome = JobOutcome::Failed;
    r.error = w.error();
    failed();
    took();
    return r;
  }
  if (in_order) {
    gs_r_outstanding_++;
    confirm(r);
    if (r.confirmed) {
      // Printed. The paper may have ended right after it: the status says so, the job stands.
      if (auto after = status()) r.after = *after;
      r.outcome = JobOutcome::Printed;
      took();
      return r;
    }
    Condition a = r.after.condition();
    if (r.after.answered && !blocks_printing(a)) {
      r.outcome = JobOutcome::Printed;  // no GS r support: DLE EOT said all is well
    } else if (r.after.answered) {
      r.outcome = JobOutcome::Suspect;
      r.error = std::string("the job did not finish: the printer reports ") + std::string(to_string(a));
    } else {
      r.outcome = JobOutcome::Suspect;
      r.error = "the printer stopped answering during the job";
      failed();
    }
    took();
    return r;
  }
  auto after = status();
  if (after) r.after = *after;
  Condition a = r.after.condition();
  if (a == Condition::Ok || a == Condition::PaperNearEnd) {
    r.outcome = JobOutcome::Printed;
  } else if (a == Condition::Unknown && !r.before.answered) {
    r.outcome = JobOutcome::Printed;  // a printer that never answers: the write is all we know
  } else if (a == Condition::Unknown) {
    // It answered before the job and not after: it stopped reading (out of paper mid-job,
    // a jam) — never call that printed.
    r.outcome = JobOutcome::Suspect;
    r.error = "the printer stopped answering after the job";
    failed();
  } else {
    r.outcome = JobOutcome::Suspect;
    r.error = std::string("after the job the printer reports ") + std::string(to_string(a));
  }
  took();
  return r;
}

PrintQueue::PrintQueue(PrinterSpec spec, PrinterTimeouts t) : printer_(std::move(spec), t) {}

void PrintQueue::submit(std::vector<std::uint8_t> job, Done done) {
  ++pending_;
  worker_.post([this, job = std::move(job), done = std::move(done)] {
    --pending_;
    JobResult r = printer_.print(job);
    if (done) done(r);
  });
}

size_t PrintQueue::pending() const { return pending_; }

}  // namespace hallq::escpos
