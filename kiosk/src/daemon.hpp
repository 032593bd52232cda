#pragma once
// hallq-kiosk's daemon: the flow (I/O thread), the ticket desk (its own thread: it blocks on
// the printer and the controller), the controller link (its own thread: reads the hall
// snapshot every few seconds), the lookup worker (a citizen's progress question, so it never
// waits behind a print), the scanner's reader and the local page/API server for Chromium on
// 127.0.0.1.
// Thread-safety: everything but the two workers runs on the io_context's one thread; the
// workers hand results back with asio::post.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <vector>

#include "hallq/common/service.hpp"
#include "hallq/kiosk/buttons.hpp"
#include "hallq/kiosk/config.hpp"
#include "hallq/kiosk/flow.hpp"
#include "hallq/kiosk/scanner.hpp"

namespace hallq::kiosk {

class StateSubscriber {
 public:
  virtual ~StateSubscriber() = default;
  virtual void deliver(std::shared_ptr<const std::string> state) = 0;
};

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, KioskConfig config, std::string web_dir);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads the journal, binds the local server and starts the workers; error text on failure.
  std::optional<std::string> start();
  void stop();
  ServiceNotifier& notifier() { return notifier_; }
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // For the local server (I/O thread).
  boost::json::object state() const;
  Expected<boost::json::object, std::string> event(const FlowEvent& e);
  void subscribe(const std::shared_ptr<StateSubscriber>& s);
  const std::string& web_dir() const { return web_dir_; }
  // Issue 26: whether a request to the local API names this kiosk as its host (Host) and comes
  // from its own page (Origin, when a browser sends one). A page elsewhere, or a name that
  // resolves here by DNS rebinding, is refused.
  bool local_request(std::string_view host, std::string_view origin) const;
  // The guide URL of a service's item, "" if none.
  std::string guide_url(const std::string& service, const std::string& item) const;

 private:
  struct Workers;
  // Steps of start().
  DeskOptions desk_options() const;
  std::optional<std::string> listen();
  void start_link(const ControllerUrl& url);
  std::optional<std::string> start_inputs();
  void publish();
  void tick();
  void on_scan(const Scan& scan);
  void on_snapshot(bool online, boost::json::array services, boost::json::object hall, TimePoint hall_time);
  TimePoint now() const;

  boost::asio::io_context& io_;
  KioskConfig config_;
  std::string web_dir_;
  Flow flow_;
  KioskStatus status_;
  std::string complaint_phone_;
  boost::json::array notices_;
  boost::json::array windows_;  // number and name of each window, for the complaint form
  TimePoint hall_time_{};                                 // the controller's clock at the last read
  TimeZone hall_tz_ = TimeZone::fixed(Minutes{8 * 60}, "+08:00");
  std::chrono::steady_clock::time_point hall_time_at_{};  // when it was read
  bool busy_ = false;                                     // a take runs on the desk
  bool routine_running_ = false;                          // a printer check runs on the desk
  int pending_ = 0;                                       // journal entries left to settle
  bool stream_up_ = false;                                // subscribed to the controller's event stream
  bool help_open_ = false;                                // the hall lists this kiosk's help request
  std::int64_t help_id_ = 0;                              // its id
  std::chrono::steady_clock::time_point last_check_{}, last_heartbeat_{};
  std::unique_ptr<Workers> workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer timer_;
  std::vector<std::weak_ptr<StateSubscriber>> subscribers_;
  ServiceNotifier notifier_;
  std::unique_ptr<ButtonPanel> panel_;  // buttons mode
  std::unique_ptr<ScannerSource> scanner_;
  std::chrono::steady_clock::time_point last_ping_{};
  bool stopped_ = false;
};

}  // namespace hallq::kiosk
