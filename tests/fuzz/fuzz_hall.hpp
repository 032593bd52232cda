#pragma once
// A controller hall in-process for the HTTP and WebSocket harnesses, wired as
// controller/src/main.cpp wires the daemon: the example config (deploy/examples/hall.toml) with
// a fresh data folder, a hall clock fixed at Monday 2026-03-02 10:00 +08:00, the store, start,
// the start-up roll-over committed, and two sessions of its own (clerk c01 signed in at window 1
// with PIN 123456, manager m01 with password 123456) made through the API.
// Thread-safety: the I/O thread is the caller's (run() and run_request() drive the io_context).
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/hall.hpp"
#include "api/http.hpp"
#include "hallq/common/time.hpp"

namespace hallq::fuzz {

class FuzzHall {
 public:
  // Aborts when the hall cannot be built: the harness has nothing to test without it.
  FuzzHall();
  // Stops the hall (its commit thread writes what is queued) and removes its data folder.
  ~FuzzHall();
  FuzzHall(const FuzzHall&) = delete;
  FuzzHall& operator=(const FuzzHall&) = delete;

  api::Hall& hall() { return *hall_; }
  boost::asio::io_context& io() { return io_; }
  const std::string& clerk_token() const { return clerk_token_; }
  const std::string& manager_token() const { return manager_token_; }

  // Runs the io_context until `done()` holds; false if `limit` of real time passed first.
  bool run(const std::function<bool()>& done, std::chrono::milliseconds limit);
  // Answers one request as a connection would (api::handle_request), with every event it made
  // durable and published before it returns. Aborts if the hall does not answer in 10 s.
  api::Response run_request(const api::Request& req);
  // Whether the harness's sessions still work (a fuzz input may sign the clerk out, close the
  // manager's session or sign the clerk in elsewhere); if not, signs in again. False when that
  // fails too (a locked-out PIN: the clock never moves), and the hall has to be built afresh.
  bool restore_sessions();

 private:
  std::string sign_in_clerk();
  std::string open_manager_session();

  std::string data_dir_;
  boost::asio::io_context io_{1};
  FakeClock clock_;
  std::unique_ptr<api::Hall> hall_;
  std::string clerk_token_, manager_token_;
};

// A request as a client sends it: HTTP/1.1, keep-alive, the bearer token if any, the body.
api::Request make_request(boost::beast::http::verb method, const std::string& target, const std::string& bearer,
                          const std::string& body);

}  // namespace hallq::fuzz
