// libFuzzer: the event stream's WebSocket from both ends. The first byte picks the side:
//   even: frames from a device to the controller. The real api::serve runs on a loopback
//         acceptor with a hall built from the example config (fuzz_hall.hpp); a client
//         upgrades GET /api/v1/events (byte 1: credential and since=), then writes the rest of
//         the input as raw bytes after the upgrade (byte 1 bit 4: or as frames built from it,
//         masked or not, any opcode, fragmented, with lengths that may lie), shuts its sending
//         side and reads until the controller closes (200 ms at most).
//         Invariants: the upgrade is accepted, but for an unknown token (401, issue 26); the
//         controller closes the stream (or is still reading) and its session is gone once
//         the client has gone (no subscriber left).
//   odd:  messages from the controller to a display node: the rest is lines, each a stream
//         message (link::parse_stream_message, then DisplayNode::handle_event) or, after '#',
//         a hall snapshot (handle_snapshot), on a fresh node of the example display config
//         whose screens are rendered (the unifont font) and encoded as RS-485 frames.
//         Invariants: an event already seen or a snapshot older than what is shown draws
//         nothing; what is shown never goes back to an older seq; a window's text that
//         encodes decodes back to itself.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/server.hpp"
#include "fuzz_hall.hpp"
#include "hallq/common/log.hpp"
#include "hallq/display/config.hpp"
#include "hallq/display/node.hpp"
#include "hallq/display/rs485_text.hpp"
#include "hallq/display/screens.hpp"
#include "hallq/escpos/render.hpp"
#include "hallq/link/event_stream.hpp"

using namespace hallq;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "%s\n", what);
  std::abort();
}

// ---- device -> controller ----

// The controller with its acceptor, serving from the first input to the last.
struct Controller {
  fuzz::FuzzHall hall;
  tcp::acceptor acceptor{hall.io()};
  tcp::endpoint endpoint;

  Controller() {
    acceptor.open(tcp::v4());
    acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor.listen();
    endpoint = acceptor.local_endpoint();
    asio::co_spawn(hall.io(), hallq::api::serve(acceptor, hall.hall()), asio::detached);
    // Something for a subscriber's backlog: a ticket issued and called.
    auto issue = fuzz::make_request(http::verb::post, "/api/v1/tickets", "demo-kiosk-1", R"({"service":"minzheng"})");
    auto call = fuzz::make_request(http::verb::post, "/api/v1/windows/1/call-next", hall.clerk_token(), "");
    if (hall.run_request(issue).result_int() != 201 || hall.run_request(call).result_int() != 200)
      finding("the hall did not issue and call a ticket");
  }
  ~Controller() {
    boost::system::error_code ec;
    acceptor.close(ec);
    hall.run([] { return false; }, 50ms);  // serve() returns, the last sessions end
  }
};

// The client's bytes after the upgrade: the input as it is, or frames built from it. A frame
// spec is a header byte (FIN, RSV1-3 and the opcode, as sent), a length byte (bit 7: masked;
// 0..125: that many payload bytes follow; 126/127: a 16/64-bit length from the next bytes, which
// may claim more than follows), and the payload, masked with a key from the input when masked.
std::string client_bytes(std::span<const std::uint8_t> in, bool frames) {
  if (!frames) return std::string(in.begin(), in.end());
  std::string out;
  std::size_t i = 0;
  while (i + 2 <= in.size()) {
    const std::uint8_t head = in[i], len = in[i + 1];
    i += 2;
    const bool masked = len & 0x80;
    std::size_t n = len & 0x7f;
    out += static_cast<char>(head);
    out += static_cast<char>(len);
    if (n >= 126) {
      const std::size_t width = n == 126 ? 2 : 8;
      std::size_t claimed = 0;
      for (std::size_t k = 0; k < width; ++k) {
        const std::uint8_t b = i < in.size() ? in[i++] : 0;
        out += static_cast<char>(b);
        claimed = (claimed << 8) | b;
      }
      n = std::min<std::size_t>(claimed, in.size() - i);
    }
    std::uint8_t key[4] = {0, 0, 0, 0};
    if (masked)
      for (auto& k : key) {
        k = i < in.size() ? in[i++] : 0x5a;
        out += static_cast<char>(k);
      }
    n = std::min(n, in.size() - i);
    for (std::size_t k = 0; k < n; ++k) out += static_cast<char>(in[i + k] ^ key[k % 4]);
    i += n;
  }
  return out;
}

struct ClientRun {
  bool done = false;
  bool upgraded = false;
};

asio::awaitable<void> device_client(const tcp::endpoint& ep, const std::string& target, const std::string& bearer,
                                    const std::string& bytes, ClientRun& out) {
  auto ex = co_await asio::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(ex);
  beast::tcp_stream& stream = beast::get_lowest_layer(ws);
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  stream.expires_after(2s);
  auto [cec] = co_await stream.async_connect(ep, use_tuple);
  if (cec) {
    out.done = true;
    co_return;
  }
  ws.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& r) {
    if (!bearer.empty()) r.set(http::field::authorization, "Bearer " + bearer);
  }));
  const std::string host = "127.0.0.1";
  auto [hec] = co_await ws.async_handshake(host, target, use_tuple);
  out.upgraded = !hec;
  if (!hec) {
    // From here on the client speaks raw bytes, whatever they are.
    tcp::socket& sock = stream.socket();
    const auto buf = asio::buffer(bytes);
    co_await asio::async_write(sock, buf, use_tuple);  // fails when the controller closed first
    boost::system::error_code ignore;
    sock.shutdown(tcp::socket::shutdown_send, ignore);
    std::vector<char> scratch(4096);
    const auto into = asio::buffer(scratch);
    stream.expires_after(200ms);
    for (;;) {
      auto [rec, n] = co_await stream.async_read_some(into, use_tuple);
      if (rec) break;
    }
  }
  boost::system::error_code ignore;
  stream.socket().close(ignore);
  out.done = true;
}

void device_to_controller(std::uint8_t flags, std::span<const std::uint8_t> in) {
  static Controller* controller = [] {
    auto* c = new Controller();
    std::atexit([] { delete controller; });  // stopped cleanly before the leak check
    return c;
  }();
  fuzz::FuzzHall& h = controller->hall;
  std::string bearer, query;
  switch (flags & 3) {
    case 0: break;
    case 1: bearer = "demo-display-1"; break;
    case 2: query = "token=demo-kiosk-1"; break;  // as a browser sends it
    default: bearer = "not-a-token"; break;
  }
  switch ((flags >> 2) & 3) {
    case 0: break;
    case 1: query += (query.empty() ? "" : "&") + std::string("since=0"); break;
    case 2: query += (query.empty() ? "" : "&") + std::string("since=2"); break;
    default: query += (query.empty() ? "" : "&") + std::string("since=99999999999999999999"); break;
  }
  const std::string target = "/api/v1/events" + (query.empty() ? std::string() : "?" + query);
  const std::string bytes = client_bytes(in, flags & 0x10);

  ClientRun run;
  const auto t0 = std::chrono::steady_clock::now();
  asio::co_spawn(h.io(), device_client(controller->endpoint, target, bearer, bytes, run), asio::detached);
  if (!h.run([&] { return run.done; }, 5s)) finding("the client never finished");
  const bool unknown_token = (flags & 3) == 3;
  if (!run.upgraded && !unknown_token) finding("the controller refused a valid WebSocket upgrade");
  if (run.upgraded && unknown_token) finding("the controller took an unknown token for a WebSocket upgrade");
  // The client has gone: the controller's session for it ends and unsubscribes.
  if (!h.run([&] { return h.hall().subscriber_count() == 0; }, 2s))
    finding("a WebSocket session outlived its client");
  static const bool trace = std::getenv("HALLQ_FUZZ_TRACE") != nullptr;
  if (trace)
    std::fprintf(stderr, "%s: %zu bytes, %lld ms\n", target.c_str(), bytes.size(),
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - t0).count()));
}

// ---- controller -> display node ----

// Draws what the node shows as the real sinks would, without their devices: pixel frames, the
// screens' text, and an RS-485 screen's frame (which must decode back to the text it carries).
class RenderingSink final : public display::DisplaySink {
 public:
  RenderingSink(const display::ScreenConfig& s, const escpos::BitmapFont& font, int& draws)
      : s_(s), font_(font), draws_(draws) {}
  std::string describe() const override { return "fuzz"; }
  std::optional<std::string> show_window(const display::WindowView& w) override {
    ++draws_;
    (void)display::render_window(w, s_.width, s_.height, font_);
    (void)display::screen_text(w);
    if (s_.sink.kind == display::SinkSpec::Kind::Rs485Text) {
      const std::string text = display::window_message(w);
      auto frame = display::encode_text_frame(s_.frame, w.number + s_.address_offset, text);
      if (frame) {
        display::TextFrameDecoder d(s_.frame);
        auto back = d.feed(*frame);
        if (back.size() != 1 || back[0].text != text || back[0].address != w.number + s_.address_offset)
          finding("an RS-485 frame of a window's text does not decode back to it");
      }
    }
    return std::nullopt;
  }
  std::optional<std::string> show_hall(const display::HallView& h) override {
    ++draws_;
    (void)display::render_hall(h, s_.width, s_.height, font_);
    (void)display::screen_text(h, s_.width, s_.height, font_);
    (void)display::notice_pages(h, s_.width, font_);
    return std::nullopt;
  }

 private:
  const display::ScreenConfig& s_;
  const escpos::BitmapFont& font_;
  int& draws_;
};

struct DisplaySetup {
  display::DisplayConfig config;
  escpos::BitmapFont font;
};

const DisplaySetup& display_setup() {
  static const DisplaySetup* setup = [] {
    if (const char* level = std::getenv("HALLQ_FUZZ_LOG")) set_log_level(level);
    else set_log_level("off");  // a resync or a late call is logged; not once per input
    const std::string path = std::string(HALLQ_SOURCE_DIR) + "/deploy/examples/display.toml";
    auto cfg = display::load_display_config(path);
    if (!cfg) finding("deploy/examples/display.toml does not load");
    cfg->state_file.clear();  // no seq file written
    auto font = escpos::BitmapFont::load_unifont_hex(cfg->font);
    if (!font) finding("the display's font (unifont) does not load");
    return new DisplaySetup{std::move(*cfg), std::move(*font)};
  }();
  return *setup;
}

void controller_to_display(std::span<const std::uint8_t> in) {
  const DisplaySetup& setup = display_setup();
  int draws = 0;
  std::vector<std::unique_ptr<display::DisplaySink>> sinks;
  for (const auto& s : setup.config.screens) sinks.push_back(std::make_unique<RenderingSink>(s, setup.font, draws));
  display::DisplayNode node(setup.config, std::move(sinks), nullptr);

  std::int64_t seen = 0;  // the newest event seq the node took (as its event_seq_)
  const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  for (std::size_t at = 0; at <= text.size();) {
    const std::size_t nl = text.find('\n', at);
    const std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    const std::int64_t shown = node.shown_seq();
    const int drawn = draws;
    if (!line.empty() && line[0] == '#') {
      boost::system::error_code ec;
      json::value v = json::parse(line.substr(1), ec);
      if (ec || !v.is_object()) continue;  // as the link: a snapshot that does not parse is not one
      const json::value* s = v.as_object().if_contains("seq");
      const std::int64_t seq = s && s->is_int64() ? s->as_int64() : 0;
      node.handle_snapshot(v.as_object());
      if (seq < shown && (draws != drawn || node.shown_seq() != shown)) finding("an older snapshot changed the screens");
    } else {
      auto m = link::parse_stream_message(line);
      if (!m) continue;
      node.handle_event(m->seq, m->type, m->event);
      if (m->type != "resync") {
        const bool old = m->seq > 0 && m->seq <= seen;
        if (old && (draws != drawn || node.shown_seq() != shown)) finding("an event seen before changed the screens");
        if (!old) seen = std::max(seen, m->seq);
      }
    }
    if (node.shown_seq() < shown) finding("the screens went back to an older seq");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  if (data[0] % 2 == 0) device_to_controller(data[1], std::span<const std::uint8_t>(data + 2, size - 2));
  else controller_to_display(std::span<const std::uint8_t>(data + 1, size - 1));
  return 0;
}
