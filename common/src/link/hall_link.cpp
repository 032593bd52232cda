#include "hallq/link/hall_link.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace hallq::link {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

// All of it the executor's, except `api`, which only the worker uses.
struct HallLink::Impl : std::enable_shared_from_this<HallLink::Impl> {
  Impl(asio::any_io_executor ex, HallLinkOptions o, HallLinkHandlers hs)
      : executor(ex), opt(std::move(o)), h(std::move(hs)), api(opt.url, opt.device_id, opt.token, opt.timeout), timer(ex) {}

  void read();
  void got(const HttpReply& hall, const json::value& extra);
  void mark_dirty();

  asio::any_io_executor executor;
  asio::any_io_executor worker;  // the link's SerialWorker, set by start()
  HallLinkOptions opt;
  HallLinkHandlers h;
  HttpController api;
  std::unique_ptr<EventStream> events;
  asio::steady_timer timer;
  bool stopped = false;
  bool stream_started = false;
  bool dirty = false;    // an event came (or the stream went up or down): read the snapshot again
  bool idle = false;     // the timer waits out the poll period, and an event ends the wait
};

void HallLink::Impl::read() {
  dirty = false;  // events from now on are not in this read: they ask for the next one
  asio::post(worker, [self = shared_from_this()] {
    HttpReply hall = self->api.hall();
    json::value extra = self->h.extra ? self->h.extra(self->api, hall) : json::value();
    asio::post(self->executor, [self, hall = std::move(hall), extra = std::move(extra)] {
      if (!self->stopped) self->got(hall, extra);
    });
  });
}

void HallLink::Impl::got(const HttpReply& hall, const json::value& extra) {
  if (hall.ok() && hall.body.is_object()) {
    std::int64_t seq = 0;
    if (auto* s = hall.body.as_object().if_contains("seq"); s && s->is_int64()) seq = s->as_int64();
    if (!stream_started) {
      events->resume_from(h.subscribe_from ? h.subscribe_from(seq) : seq);
      events->start();
      stream_started = true;
    } else if (opt.resume_at_each_snapshot) {
      events->resume_from(seq);
    }
  }
  h.snapshot(hall, extra);
  if (stopped) return;  // the handler stopped the link
  // Events come in bursts (a call is several events): gather them for a moment.
  timer.expires_after(200ms);
  timer.async_wait([self = shared_from_this()](boost::system::error_code) {
    if (self->stopped) return;
    if (self->dirty) return self->read();
    const auto period = std::chrono::seconds{self->events->connected() ? std::max(self->opt.poll_s, 15) : self->opt.poll_s};
    self->idle = true;
    self->timer.expires_after(period);
    self->timer.async_wait([self](boost::system::error_code) {  // the period is over, or an event ended it
      self->idle = false;
      if (!self->stopped) self->read();
    });
  });
}

void HallLink::Impl::mark_dirty() {
  dirty = true;
  if (idle) timer.cancel();
}

HallLink::HallLink(asio::any_io_executor executor, HallLinkOptions options, HallLinkHandlers handlers)
    : impl_(std::make_shared<Impl>(executor, std::move(options), std::move(handlers))) {
  Impl* m = impl_.get();  // the stream is the link's: its callbacks never outlive it
  impl_->events = std::make_unique<EventStream>(
      executor, m->opt.url, m->opt.token,
      [m](std::int64_t seq, const std::string& type, const json::object& e) {
        if (m->h.event) m->h.event(seq, type, e);
        m->mark_dirty();
      },
      [m](bool) { m->mark_dirty(); });  // (re)subscribed or lost: read the snapshot now
}

HallLink::~HallLink() { stop(); }

void HallLink::start() {
  impl_->worker = worker_.executor();
  impl_->read();
}

void HallLink::stop() {
  Impl& m = *impl_;
  if (m.stopped) return;
  m.stopped = true;
  m.timer.cancel();
  m.events->stop();
}

bool HallLink::live() const { return impl_->events->connected(); }

}  // namespace hallq::link
