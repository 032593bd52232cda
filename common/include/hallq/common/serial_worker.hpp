#pragma once
// Blocking work done in order on one thread of its own: a printer's or a modem's jobs, the
// display's voice, the kiosk's desk, SQLite checkpoints. What is posted runs in turn, one at a
// time; the destructor lets everything already posted finish first (a job that should be
// dropped at shutdown checks a flag of its owner). An Asio thread pool of one thread, so there
// is one way to hand blocking work off in every program.
// Thread-safety: post() from any thread.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <utility>

namespace hallq {

class SerialWorker {
 public:
  SerialWorker() : pool_(1) {}
  ~SerialWorker() { pool_.join(); }  // without stop(): runs what is queued, then ends
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  template <typename F>
  void post(F&& f) {
    boost::asio::post(pool_, std::forward<F>(f));
  }
  // Runs what is queued, then ends the thread; nothing may be posted after.
  void join() { pool_.join(); }
  boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace hallq
