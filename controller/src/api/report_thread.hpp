#pragma once
// Running a long read (a report over months of the log) on the Hall's report thread and
// resuming on the I/O thread with its result.
// Thread-safety: call from the I/O thread; `work` runs on the report thread and must touch
// nothing of the Hall's (it opens its own read-only connection to the database).
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http.hpp"

namespace hallq::api {

// Not a coroutine: the work is stored in the awaitable (GCC 12 and coroutine parameters, hall.hpp).
template <typename T, typename F>
auto on_report_thread(Hall& hall, const F& work) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [pool = hall.report_pool().get_executor(), ex = hall.executor()](auto handler, F w) {
        asio::post(pool, [h = std::move(handler), w = std::move(w), ex]() mutable {
          T r = w();
          asio::post(ex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
        });
      },
      asio::use_awaitable, work);
}

// What a report's work gives: its JSON, or why it failed.
using JsonResult = Expected<boost::json::value, std::string>;

// A report's answer: its JSON, or 500 report_failed with the reason.
inline Response report_answer(const Request& req, const JsonResult& r) {
  if (!r) return make_error(req, api_error(500, "report_failed", r.error(), "报表生成失败"));
  return make_json(req, http::status::ok, *r);
}

}  // namespace hallq::api
