// hallq-controller: parses flags, loads the hall, wires the store, engine and API, serves.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "api/hall.hpp"
#include "api/routes.hpp"
#include "api/server.hpp"
#include "hallq/common/calendar.hpp"
#include "hallq/common/config.hpp"
#include "hallq/common/log.hpp"
#include "hallq/common/web_files.hpp"
#include "hallq/common/secret.hpp"
#include "hallq/common/service.hpp"
#include "hallq/controller/event_codec.hpp"
#include "hallq/controller/store.hpp"
#include "hallq/tls/tls.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace hallq;

namespace {

constexpr const char* kUsage = R"(Usage: hallq-controller --config FILE [--data-dir DIR] [--listen HOST:PORT]
                        [--tls-listen HOST:PORT]
       hallq-controller --check-config FILE
       hallq-controller --tls-pin --config FILE  (the key pin devices check: controller_pin)
       hallq-controller --verify-db --config FILE [--data-dir DIR]
       hallq-controller --hash-secret        (reads a PIN or password on stdin)
       hallq-controller --token-digest       (reads a device token on stdin)
       hallq-controller --list-routes        (every method and path, with who may call it; JSON)
       hallq-controller --list-events        (every event type, with its public and staff fields; JSON)
       hallq-controller --version | --help

Runs the queue of one service hall: the engine, the SQLite event store and the HTTP/WebSocket
API. --data-dir, --listen and --tls-listen override [server] in the config file.
Options:
  --log-level LEVEL   trace, debug, info (default), warn, error
  --clock-start TIME  run the hall clock from this RFC 3339 instant (tests, demos),
                      e.g. 2026-03-02T10:00:00+08:00; it then advances in real time
  --clock-rate R      with --clock-start: R hall seconds pass per real second (1..600;
                      tests of timed rules such as the 3-minute pause alert)
)";

struct Args {
  std::string config, data_dir, listen, tls_listen, check_config, log_level = "info", clock_start, clock_rate;
  bool verify_db = false, hash_secret = false, token_digest = false, tls_pin = false;
};

int usage_error(const std::string& m) {
  std::cerr << "hallq-controller: " << m << "\n" << kUsage;
  return 2;
}

bool split_listen(const std::string& s, std::string& host, unsigned short& port) {
  auto c = s.rfind(':');
  if (c == std::string::npos || c == 0) return false;
  host = s.substr(0, c);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    size_t used = 0;
    int p = std::stoi(s.substr(c + 1), &used);
    if (used != s.size() - c - 1 || p < 0 || p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (...) {
    return false;
  }
  return true;
}

std::string read_stdin_line() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

asio::awaitable<void> midnight_loop(api::Hall& hall) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    auto left = hall.timezone().next_midnight(hall.now()) - hall.now();
    // Wake at least once a minute so a wall-clock jump (NTP after a power cut) is noticed.
    timer.expires_after(std::min<std::chrono::milliseconds>(left + std::chrono::milliseconds{50}, std::chrono::minutes{1}));
    co_await timer.async_wait(asio::use_awaitable);
    hall.roll_over_if_new_day();
  }
}

// R-AB-3: a pause that runs past its limit alerts the manager within 5 s of hall time (a
// faster hall clock, --clock-rate, checks as often in hall time; at least every 100 ms).
// Issue 26: an event stream whose session ended (expired, or ended by another request) is
// closed within about a second.
asio::awaitable<void> stream_loop(api::Hall& hall) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::seconds{1});
    co_await timer.async_wait(asio::use_awaitable);
    hall.close_revoked_streams();
  }
}

asio::awaitable<void> pause_loop(api::Hall& hall, double clock_rate) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto period = std::max(std::chrono::milliseconds{100},
                               std::chrono::milliseconds{static_cast<std::int64_t>(5000 / clock_rate)});
  for (;;) {
    timer.expires_after(period);
    co_await timer.async_wait(asio::use_awaitable);
    hall.check_pauses();
  }
}

// What a subcommand or a refusal ends the process with; nullopt: go on.
using Exit = std::optional<int>;

// Reads the flags into `a`. --help, --version, --list-routes and --list-events answer as soon as
// they are read; an unknown flag or a missing value is a usage error.
Exit parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (k == "--help" || k == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (k == "--version") {
      std::cout << "hallq-controller " << HALLQ_VERSION << "\n";
      return 0;
    } else if (k == "--config") {
      if (!value(a.config)) return usage_error("--config needs a file");
    } else if (k == "--data-dir") {
      if (!value(a.data_dir)) return usage_error("--data-dir needs a folder");
    } else if (k == "--listen") {
      if (!value(a.listen)) return usage_error("--listen needs HOST:PORT");
    } else if (k == "--tls-listen") {
      if (!value(a.tls_listen)) return usage_error("--tls-listen needs HOST:PORT");
    } else if (k == "--tls-pin") {
      a.tls_pin = true;
    } else if (k == "--check-config") {
      if (!value(a.check_config)) return usage_error("--check-config needs a file");
    } else if (k == "--log-level") {
      if (!value(a.log_level)) return usage_error("--log-level needs a level");
    } else if (k == "--clock-start") {
      if (!value(a.clock_start)) return usage_error("--clock-start needs an RFC 3339 time");
    } else if (k == "--clock-rate") {
      if (!value(a.clock_rate)) return usage_error("--clock-rate needs a number");
    } else if (k == "--list-routes") {
      std::cout << api::routes_json() << "\n";
      return 0;
    } else if (k == "--list-events") {
      std::cout << engine::events::types_json() << "\n";
      return 0;
    } else if (k == "--verify-db") {
      a.verify_db = true;
    } else if (k == "--hash-secret") {
      a.hash_secret = true;
    } else if (k == "--token-digest") {
      a.token_digest = true;
    } else {
      return usage_error("unknown option '" + k + "'");
    }
  }
  return std::nullopt;
}

// --hash-secret: the argon2id hash of the PIN or password on stdin.
int run_hash_secret() {
  std::string h = hash_secret(read_stdin_line());
  if (h.empty()) return 1;
  std::cout << h << "\n";
  return 0;
}

// --token-digest: the digest of the device token on stdin.
int run_token_digest() {
  std::cout << token_digest(read_stdin_line()) << "\n";
  return 0;
}

// The hall clock: the system's, or --clock-start's running at --clock-rate.
struct HallTime {
  std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
  double rate = 1;
};

// Checked before anything is opened, so a typo changes nothing.
Exit make_hall_time(const Args& a, HallTime& t) {
  if (!a.clock_rate.empty() && a.clock_start.empty()) return usage_error("--clock-rate needs --clock-start");
  if (a.clock_start.empty()) return std::nullopt;
  auto start = parse_rfc3339(a.clock_start);
  if (!start) return usage_error("--clock-start '" + a.clock_start + "' is not an RFC 3339 time");
  if (!a.clock_rate.empty()) {
    char* end = nullptr;
    t.rate = std::strtod(a.clock_rate.c_str(), &end);
    if (end == a.clock_rate.c_str() || *end != '\0' || !(t.rate >= 1 && t.rate <= 600))
      return usage_error("--clock-rate '" + a.clock_rate + "' is not a number from 1 to 600");
  }
  t.clock = std::make_unique<OffsetClock>(*start, t.rate);
  return std::nullopt;
}

// --check-config FILE: the config and, with TLS on, its certificate and key.
int run_check_config(const std::string& file) {
  auto cfg = load_config(file);
  if (!cfg) {
    std::cerr << cfg.error().to_string() << "\n";
    return 1;
  }
  if (!cfg->server.tls_listen.empty()) {
    auto ctx = tls::server_context(cfg->server.tls_cert, cfg->server.tls_key);
    if (!ctx) {
      std::cerr << file << ": server.tls_cert/tls_key: " << ctx.error() << "\n";
      return 1;
    }
  }
  std::cout << file << ": OK (" << cfg->services.size() << " services, " << cfg->windows.size() << " windows, "
            << cfg->clerks.size() << " clerks, " << cfg->devices.size() << " devices"
            << (cfg->server.tls_listen.empty() ? "" : ", TLS on " + cfg->server.tls_listen) << ")\n";
  return 0;
}

// --tls-pin: the pin of the certificate's key, which devices check (controller_pin).
int run_tls_pin(const HallConfig& config, const std::string& config_file) {
  if (config.server.tls_cert.empty()) {
    std::cerr << config_file << ": server.tls_cert is not set; there is no key to pin\n";
    return 1;
  }
  auto pin = tls::pin_of_cert_file(config.server.tls_cert);
  if (!pin) {
    std::cerr << pin.error() << "\n";
    return 1;
  }
  std::cout << *pin << "\n";
  return 0;
}

// Where the daemon listens, and the TLS listener's certificate.
struct Endpoints {
  std::string host, tls_host;
  unsigned short port = 0, tls_port = 0;
  api::TlsContext tls;  // `current` is null without TLS
};

// Read before anything is opened: a bad address or certificate changes nothing.
Exit prepare_endpoints(const HallConfig& config, const std::string& config_file, Endpoints& ep) {
  if (!split_listen(config.server.listen, ep.host, ep.port))
    return usage_error("listen address '" + config.server.listen + "' is not HOST:PORT");
  if (config.server.tls_listen.empty()) return std::nullopt;
  if (!split_listen(config.server.tls_listen, ep.tls_host, ep.tls_port))
    return usage_error("TLS listen address '" + config.server.tls_listen + "' is not HOST:PORT");
  if (config.server.tls_cert.empty() || config.server.tls_key.empty())
    return usage_error("TLS needs server.tls_cert and server.tls_key in " + config_file);
  auto ctx = tls::server_context(config.server.tls_cert, config.server.tls_key);
  if (!ctx) {
    std::cerr << config_file << ": server.tls_cert/tls_key: " << ctx.error() << "\n";
    return 1;
  }
  ep.tls.current = *ctx;
  std::error_code pec;
  auto perms = std::filesystem::status(config.server.tls_key, pec).permissions();
  if (!pec && (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) !=
                  std::filesystem::perms::none)
    logger("controller")->warn("{} can be read by other users; the private key should be mode 0600",
                               config.server.tls_key);
  return std::nullopt;
}

// --verify-db: replays the event log and compares it with the stored projections.
int run_verify_db(const std::string& db_path, const HallConfig& config, const TimeZone& tz,
                  const WorkingCalendar& calendar) {
  auto diff = store::verify_replay(db_path, config, tz, calendar);
  if (diff) {
    std::cerr << "replay differs from projections: " << *diff << "\n";
    return 1;
  }
  std::cout << db_path << ": replaying the event log gives the stored projections\n";
  return 0;
}

// One controller per data folder: a second one would interleave commits. The lock is held
// until the process ends.
bool lock_data_dir(const std::string& data_dir) {
  const std::string lock_path = data_dir + "/controller.lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    logger("controller")->critical("{} is in use by another hallq-controller", data_dir);
    return false;
  }
  return true;
}

// A database made by an older version (or copied in) may be readable by all: tighten it.
void tighten_db_permissions(const std::string& db_path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code pec;
    const std::string f = db_path + suffix;
    auto perms = std::filesystem::status(f, pec).permissions();
    if (!pec && (perms & std::filesystem::perms::others_all) != std::filesystem::perms::none) {
      std::filesystem::permissions(f, std::filesystem::perms::others_all | std::filesystem::perms::group_write,
                                   std::filesystem::perm_options::remove, pec);
      logger("controller")->warn("{} was readable by others; now {}", f,
                                 pec ? "still so: " + pec.message() : std::string("mode 0640"));
    }
  }
}

// The store, its live state and a reader connection, opened for the hall.
struct OpenedStore {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::StoreReader> reader;
  store::Loaded loaded;
};

bool open_store(const std::string& db_path, const HallConfig& config, OpenedStore& out) {
  auto log = logger("controller");
  auto st = store::Store::open(db_path);
  if (!st) {
    log->critical("{}", st.error());
    return false;
  }
  tighten_db_permissions(db_path);
  auto loaded = (*st)->load(engine::rating_days_kept(config.policy));
  if (!loaded) {
    log->critical("{}", loaded.error());
    return false;
  }
  auto reader = store::StoreReader::open(db_path);
  if (!reader) {
    log->critical("{}", reader.error());
    return false;
  }
  out.store = std::move(*st);
  out.reader = std::move(*reader);
  out.loaded = std::move(*loaded);
  return true;
}

// Restores the engine and commits the start-up roll-over before the first request is served.
bool start_hall(api::Hall& hall, asio::io_context& io, const store::Loaded& loaded, const std::string& db_path) {
  auto log = logger("controller");
  if (auto e = hall.start(loaded)) {
    log->critical("{}: {}", db_path, *e);
    return false;
  }
  hall.roll_over_if_new_day();
  while (!hall.settled() && io.run_one_for(std::chrono::seconds{5}) > 0) {
  }
  if (!hall.settled()) {
    log->critical("{}: the start-up state could not be stored", db_path);
    return false;
  }
  io.restart();  // running out of work above left the context stopped
  return true;
}

bool open_listener(tcp::acceptor& acc, const std::string& host, unsigned short port, const std::string& shown_as) {
  try {
    tcp::endpoint ep(asio::ip::make_address(host), port);
    acc.open(ep.protocol());
    acc.set_option(asio::socket_base::reuse_address(true));
    acc.bind(ep);
    acc.listen(asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    logger("controller")->critical("cannot listen on {}: {}", shown_as, e.what());
    return false;
  }
  return true;
}

// Tests and scripts read these lines to learn the ports (listen on port 0 picks a free one).
void announce(const tcp::acceptor& acceptor, const tcp::acceptor& tls_acceptor, const Endpoints& ep,
              const HallConfig& config) {
  auto bound = acceptor.local_endpoint();
  std::string shown = bound.address().is_unspecified() ? "127.0.0.1" : bound.address().to_string();
  std::printf("hallq-controller listening on http://%s:%u/\n", shown.c_str(), bound.port());
  if (ep.tls.current) {
    auto tls_bound = tls_acceptor.local_endpoint();
    std::string tls_shown = tls_bound.address().is_unspecified() ? "127.0.0.1" : tls_bound.address().to_string();
    std::printf("hallq-controller listening on https://%s:%u/\n", tls_shown.c_str(), tls_bound.port());
    auto pin = tls::pin_of_cert_file(config.server.tls_cert);
    logger("controller")->info("TLS on {}: devices pin the key {}", config.server.tls_listen, pin ? *pin : pin.error());
  }
  std::fflush(stdout);
}

std::string ready_status(const HallConfig& config) {
  return fmt::format("serving {} on {}: {} windows, {} services", config.centre.name, config.server.listen,
                     config.windows.size(), config.services.size());
}

// SIGHUP: a renewed TLS certificate is taken at once; the config file is read again, and the
// running hall changes only if all of it is valid.
class Reloader {
 public:
  Reloader(asio::io_context& io, ServiceNotifier& service, api::Hall& hall, api::TlsContext& tls,
           const HallConfig& config, const std::string& config_file)
      : hup_(io, SIGHUP), service_(service), hall_(hall), tls_(tls), config_(config), config_file_(config_file) {}

  void arm() {
    hup_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      arm();
      reload();
    });
  }

 private:
  void reload() {
    service_.reloading();
    // Whatever the outcome, the daemon is serving again when this returns.
    struct Ready {
      ServiceNotifier& service;
      const HallConfig& config;
      ~Ready() { service.reloaded(ready_status(config)); }
    } ready{service_, config_};
    reload_tls();
    reload_config();
  }

  void reload_tls() {
    if (!tls_.current) return;
    // A renewed certificate (same or new key): new connections use it.
    auto ctx = tls::server_context(config_.server.tls_cert, config_.server.tls_key);
    if (!ctx) {
      log_->error("TLS certificate not reloaded, keeping the running one: {}", ctx.error());
      return;
    }
    tls_.current = *ctx;
    auto pin = tls::pin_of_cert_file(config_.server.tls_cert);
    log_->info("TLS certificate {} reloaded: devices pin the key {}", config_.server.tls_cert, pin ? *pin : pin.error());
  }

  void reload_config() {
    // Parse into a scratch struct; the running hall changes only if all of it is valid.
    auto fresh = load_config(config_file_);
    if (!fresh) {
      log_->error("reload refused, keeping the running config: {}", fresh.error().to_string());
      return;
    }
    if (fresh->server.tls_listen != config_.server.tls_listen || fresh->server.tls_cert != config_.server.tls_cert ||
        fresh->server.tls_key != config_.server.tls_key)
      log_->warn("server.tls_* paths and address change only with a restart");
    fresh->server = config_.server;  // listen address and data folder need a restart
    if (fresh->centre.timezone != config_.centre.timezone) log_->warn("centre.timezone changes only with a restart");
    fresh->centre.timezone = config_.centre.timezone;
    if (!hall_.settled()) {
      log_->error("reload refused: commands are being stored; send SIGHUP again");
      return;
    }
    if (auto e = hall_.reload(*fresh)) {
      log_->error("reload refused, keeping the running config: {}", *e);
      return;
    }
    log_->info("{} reloaded: {} services, {} windows", config_file_, fresh->services.size(), fresh->windows.size());
  }

  asio::signal_set hup_;
  ServiceNotifier& service_;
  api::Hall& hall_;
  api::TlsContext& tls_;
  const HallConfig& config_;
  const std::string& config_file_;
  std::shared_ptr<spdlog::logger> log_ = logger("controller");
};

// systemd watchdog (WatchdogSec=): ping at half the interval while the hall makes progress.
// Commands stuck in the commit thread for a whole interval (a hung disk, a wedged SQLite lock)
// stop the pings, and systemd restarts the daemon; every acknowledged command is already in
// the database.
class Watchdog {
 public:
  Watchdog(asio::io_context& io, ServiceNotifier& service, api::Hall& hall)
      : timer_(io), service_(service), hall_(hall), last_seq_(hall.published_seq()) {}

  void start() {
    auto interval = service_.watchdog_interval();
    if (!interval) return;
    half_ = *interval / 2;
    service_.watchdog_ping();
    arm();
    log_->info("systemd watchdog every {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(half_).count());
  }

 private:
  void arm() {
    timer_.expires_after(half_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }

  void tick() {
    auto seq = hall_.published_seq();
    if (hall_.settled() || seq != last_seq_)
      service_.watchdog_ping();
    else
      log_->warn("watchdog: commands have waited for storage for {} ms; not pinging",
                 std::chrono::duration_cast<std::chrono::milliseconds>(half_).count());
    last_seq_ = seq;
    arm();
  }

  asio::steady_timer timer_;
  ServiceNotifier& service_;
  api::Hall& hall_;
  std::int64_t last_seq_;
  std::chrono::microseconds half_{};
  std::shared_ptr<spdlog::logger> log_ = logger("controller");
};

// The daemon: opens the store, starts the hall, listens and serves until SIGINT or SIGTERM.
int run_daemon(const Args& a, const HallConfig& config, Endpoints& ep, const HallTime& hall_time, const TimeZone& tz,
               const WorkingCalendar& calendar, const std::string& db_path, const char* argv0) {
  auto log = logger("controller");
  if (!lock_data_dir(config.server.data_dir)) return 1;
  auto t0 = std::chrono::steady_clock::now();
  OpenedStore st;
  if (!open_store(db_path, config, st)) return 1;

  if (!a.clock_start.empty()) log->warn("hall clock starts at {} instead of the system time", a.clock_start);
  asio::io_context io(1);
  api::Hall hall(io.get_executor(), config, tz, calendar, *hall_time.clock, std::move(st.store), std::move(st.reader),
                 st.loaded);
  hall.set_web_dir(installed_share_dir("controller-web", argv0));
  if (!start_hall(hall, io, st.loaded, db_path)) return 1;
  if (config.centre.demo)
    log->warn("DEMO configuration: the clerk PINs, passwords and device tokens are public; never use it in a real hall");

  tcp::acceptor acceptor(io);
  tcp::acceptor tls_acceptor(io);
  if (!open_listener(acceptor, ep.host, ep.port, config.server.listen)) return 1;
  if (ep.tls.current && !open_listener(tls_acceptor, ep.tls_host, ep.tls_port, config.server.tls_listen)) return 1;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  log->info("{}: {} events, {} live tickets loaded in {} ms", db_path, st.loaded.last_seq, st.loaded.tickets.size(), ms);
  ServiceNotifier service;
  // SIGTERM is handled before anyone is told the controller listens: a stop right after the
  // start still ends cleanly.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    log->info("signal {}: stopping", sig);
    service.stopping();
    acceptor.close();
    tls_acceptor.close();
    io.stop();
  });
  announce(acceptor, tls_acceptor, ep, config);

  Reloader reloader(io, service, hall, ep.tls, config, a.config);
  reloader.arm();
  asio::co_spawn(io, api::serve(acceptor, hall), asio::detached);
  if (ep.tls.current) asio::co_spawn(io, api::serve(tls_acceptor, hall, &ep.tls), asio::detached);
  asio::co_spawn(io, midnight_loop(hall), asio::detached);
  asio::co_spawn(io, pause_loop(hall, hall_time.rate), asio::detached);
  asio::co_spawn(io, stream_loop(hall), asio::detached);
  Watchdog watchdog(io, service, hall);
  watchdog.start();
  service.ready(ready_status(config));
  io.run();
  hall.stop();  // the commit thread writes what is queued before it ends
  log->info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The database, its WAL and the month keys hold personal data: whatever umask the daemon is
  // started with (systemd's UMask, a shell's 022), nothing it creates is readable by others.
  ::umask(027);
  Args a;
  if (auto done = parse_args(argc, argv, a)) return *done;
  set_log_level(a.log_level);
  // A write past a file-size limit must fail with EFBIG like a full disk, not kill us; a
  // write to a closed socket must fail with EPIPE, not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  if (!init_secrets()) {
    std::cerr << "hallq-controller: libsodium failed to initialise\n";
    return 1;
  }
  if (a.hash_secret) return run_hash_secret();
  if (a.token_digest) return run_token_digest();
  HallTime hall_time;
  if (auto bad = make_hall_time(a, hall_time)) return *bad;
  if (!a.check_config.empty()) return run_check_config(a.check_config);
  if (a.config.empty()) return usage_error("--config is required");

  auto cfg = load_config(a.config);
  if (!cfg) {
    std::cerr << cfg.error().to_string() << "\n";
    return 1;
  }
  HallConfig config = std::move(*cfg);
  if (a.tls_pin) return run_tls_pin(config, a.config);
  if (!a.data_dir.empty()) config.server.data_dir = a.data_dir;
  if (!a.listen.empty()) config.server.listen = a.listen;
  if (!a.tls_listen.empty()) config.server.tls_listen = a.tls_listen;
  Endpoints ep;
  if (auto bad = prepare_endpoints(config, a.config, ep)) return *bad;

  auto tz = TimeZone::load(config.centre.timezone);
  if (!tz) {
    std::cerr << a.config << ": centre.timezone: " << tz.error() << "\n";
    return 1;
  }
  WorkingCalendar calendar(config.calendar.holidays, config.calendar.makeup_workdays);
  std::error_code fec;
  std::filesystem::create_directories(config.server.data_dir, fec);
  if (fec) {
    logger("controller")->critical("cannot create data folder {}: {}", config.server.data_dir, fec.message());
    return 1;
  }
  const std::string db_path = config.server.data_dir + "/hallq.db";
  if (a.verify_db) return run_verify_db(db_path, config, *tz, calendar);
  return run_daemon(a, config, ep, hall_time, *tz, calendar, db_path, argv[0]);
}
