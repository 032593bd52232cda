// hallq-screen-sim: the screens a display node drives, simulated, for tests, the demo and an
// installer without hardware (issue 6).
//   hallq-screen-sim --rs485 LINK --out DIR [--prefix AA] [--suffix 55] [--checksum sum8]
//                    [--charset GB18030]
//     A fake RS-485 bus of text window screens: a pty pair whose far end is linked at LINK (give
//     the display node rs485:LINK). Frames are decoded with the template; each screen's text is
//     drawn as its panel shows it (one row, 16 dots high) into DIR/rs485-<address>.png, with
//     the text in DIR/rs485-<address>.txt. Bad frames are counted in DIR/rs485-stats.txt.
//   hallq-screen-sim --bx LINK --out DIR
//     A fake bus of Onbon BX font-card screens on a pty linked at LINK (give the node
//     bx:LINK): A3 06 frames are unescaped, CRC-checked and parsed; each screen address's areas
//     are drawn in their rectangles (Unifont, centred) into DIR/bx-<address>.png, their texts
//     (by area id) in DIR/bx-<address>.txt; frames and bad frames in DIR/bx-stats.txt.
//   hallq-screen-sim --ft HOST:PORT --out DIR [--size WxH]
//     A Flaschen-Taschen receiver: PPM datagrams (with the optional x y z offset footer) are
//     drawn onto a WxH canvas (default: the first frame's size) written as DIR/ft.png.
// Prints "hallq-screen-sim ready on ..." once it listens, and runs until SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hallq/common/atomic_file.hpp"
#include "hallq/common/serial.hpp"
#include "hallq/display/bx.hpp"
#include "hallq/display/frame.hpp"
#include "hallq/display/rs485_text.hpp"
#include "hallq/escpos/render.hpp"

using namespace hallq;
using namespace hallq::display;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

constexpr const char* kUsage = R"(Usage: hallq-screen-sim --rs485 LINK --out DIR [--prefix HEX] [--suffix HEX] [--checksum none|sum8|xor|crc16] [--charset GB18030|GB2312] [--width DOTS]
       hallq-screen-sim --bx LINK --out DIR
       hallq-screen-sim --ft HOST:PORT --out DIR [--size WxH]
)";

std::optional<std::vector<std::uint8_t>> hex(const std::string& s) {
  std::vector<std::uint8_t> out;
  std::string d;
  for (char c : s)
    if (c != ' ') d += c;
  if (d.size() % 2) return std::nullopt;
  for (size_t i = 0; i < d.size(); i += 2) {
    char* end = nullptr;
    const std::string b = d.substr(i, 2);
    long v = std::strtol(b.c_str(), &end, 16);
    if (*end) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

bool write_file(const std::string& path, const std::string& text) {
  return !write_file_atomically(path, text, 0666);
}

// A pty pair whose far end is linked at LINK; the master fd, or -1. `hold` keeps the far end
// open: a pty whose far end nobody holds reads as EIO in between the display node's opens.
int open_link(const std::string& link, int& hold) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    std::perror("hallq-screen-sim: pty");
    return -1;
  }
  const std::string slave = ptsname(master);
  hold = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (hold >= 0) set_serial_raw(hold, 9600);
  std::filesystem::remove(link);
  std::error_code ec;
  std::filesystem::create_symlink(slave, link, ec);
  if (ec) {
    std::cerr << "hallq-screen-sim: " << link << ": " << ec.message() << "\n";
    return -1;
  }
  std::cout << "hallq-screen-sim ready on " << link << " (" << slave << ")" << std::endl;
  return master;
}

// Reads the bus until a signal, handing every chunk of bytes to `feed`.
template <class Feed>
void read_bus(int master, Feed feed) {
  std::uint8_t buf[4096];
  while (!g_stop) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) feed(std::span<const std::uint8_t>(buf, static_cast<size_t>(n)));
  }
}

int run_rs485(const std::string& link, const std::string& out, const TextFrameTemplate& t, int width,
              const escpos::BitmapFont& font) {
  int hold = -1;
  const int master = open_link(link, hold);
  if (master < 0) return 1;
  TextFrameDecoder dec(t);
  long frames = 0;
  read_bus(master, [&](std::span<const std::uint8_t> bytes) {
    for (const auto& f : dec.feed(bytes)) {
      ++frames;
      const std::string base = out + "/rs485-" + std::to_string(f.address);
      Frame img(width, 16);
      draw_centred(img, font, 0, f.text, kRed);
      write_file(base + ".txt", f.text + "\n");
      write_png(img, base + ".png");
    }
    write_file(out + "/rs485-stats.txt", "frames " + std::to_string(frames) + "\nbad_frames " +
                                             std::to_string(dec.bad_frames()) + "\nskipped_bytes " +
                                             std::to_string(dec.skipped_bytes()) + "\n");
  });
  std::filesystem::remove(link);
  return 0;
}

int run_bx(const std::string& link, const std::string& out, const escpos::BitmapFont& font) {
  int hold = -1;
  const int master = open_link(link, hold);
  if (master < 0) return 1;
  BxDecoder dec;
  long frames = 0, unparsed = 0;
  std::map<int, std::map<int, BxArea>> screens;  // address -> area id -> area
  read_bus(master, [&](std::span<const std::uint8_t> bytes) {
    for (const BxFrame& f : dec.feed(bytes)) {
      ++frames;
      auto d = parse_bx_dynamic_text(f);
      if (!d) {
        ++unparsed;
        continue;
      }
      auto& areas = screens[d->screen];
      for (int id : d->delete_ids) areas.erase(id);
      for (const BxArea& a : d->areas) areas[a.id] = a;
      // The panel: big enough for every area, at least 128×32.
      int w = 128, h = 32;
      for (const auto& [id, a] : areas) {
        w = std::max(w, std::min(a.x + a.width, 1024));
        h = std::max(h, std::min(a.y + a.height, 512));
      }
      Frame img(w, h);
      std::string text;
      for (const auto& [id, a] : areas) {
        Frame cell(std::min(a.width, 1024), std::min(a.height, 512));
        if ((a.align & 3) == 2) draw_centred(cell, font, 0, a.text, id == 0 ? kAmber : kRed);
        else draw_text(cell, font, 0, 0, a.text, id == 0 ? kAmber : kRed);
        for (int y = 0; y < cell.height(); ++y)
          for (int x = 0; x < cell.width(); ++x) img.set(a.x + x, a.y + y, cell.at(x, y));
        text += a.text + "\n";
      }
      const std::string base = out + "/bx-" + std::to_string(d->screen);
      write_file(base + ".txt", text);
      write_png(img, base + ".png");
    }
    write_file(out + "/bx-stats.txt", "frames " + std::to_string(frames) + "\nbad_frames " +
                                          std::to_string(dec.bad_frames()) + "\nunparsed " + std::to_string(unparsed) + "\n");
  });
  std::filesystem::remove(link);
  return 0;
}

// Reads a P6 header token (skipping whitespace and # comments) at `at`.
bool ppm_token(const std::string& s, size_t& at, long& v) {
  while (at < s.size()) {
    if (s[at] == '#') {
      while (at < s.size() && s[at] != '\n') ++at;
    } else if (std::isspace(static_cast<unsigned char>(s[at]))) {
      ++at;
    } else {
      break;
    }
  }
  size_t start = at;
  while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) ++at;
  if (start == at || at - start > 6) return false;
  v = std::stol(s.substr(start, at - start));
  return true;
}

int run_ft(const std::string& listen, const std::string& out, int w, int h) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << kUsage;
    return 2;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(listen.substr(0, colon).c_str(), listen.substr(colon + 1).c_str(), &hints, &res) != 0) {
    std::cerr << "hallq-screen-sim: cannot resolve " << listen << "\n";
    return 1;
  }
  int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
    std::perror("hallq-screen-sim: bind");
    return 1;
  }
  freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t sl = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl);
  const int port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                  : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  std::cout << "hallq-screen-sim ready on udp port " << port << std::endl;
  std::optional<Frame> canvas;
  const bool fixed = w > 0 && h > 0;
  if (fixed) canvas.emplace(w, h);
  std::vector<char> buf(70000);
  long frames = 0, bad = 0;
  while (!g_stop) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) continue;
    const std::string d(buf.data(), static_cast<size_t>(n));
    size_t at = 2;
    long fw = 0, fh = 0, maxv = 0;
    if (d.compare(0, 2, "P6") != 0 || !ppm_token(d, at, fw) || !ppm_token(d, at, fh) || !ppm_token(d, at, maxv) ||
        maxv != 255 || fw < 1 || fh < 1 || at >= d.size() || (d.size() - at - 1) < static_cast<size_t>(fw * fh * 3)) {
      ++bad;
      continue;
    }
    ++at;  // the one whitespace byte after maxval
    const size_t data_at = at;
    size_t foot = data_at + static_cast<size_t>(fw * fh * 3);
    long ox = 0, oy = 0, oz = 0;
    if (foot < d.size() && ppm_token(d, foot, ox) && ppm_token(d, foot, oy)) ppm_token(d, foot, oz);
    (void)oz;  // layers: one panel, one layer
    if (ox < 0 || oy < 0 || ox > 4096 || oy > 4096) {
      ++bad;
      continue;
    }
    // Without --size the canvas grows to hold every frame (a tall frame comes as strips).
    const int need_w = static_cast<int>(fw + ox), need_h = static_cast<int>(fh + oy);
    if (!canvas || (!fixed && (need_w > canvas->width() || need_h > canvas->height()))) {
      Frame grown(std::max(need_w, canvas ? canvas->width() : 0), std::max(need_h, canvas ? canvas->height() : 0));
      if (canvas)
        for (int y = 0; y < canvas->height(); ++y)
          for (int x = 0; x < canvas->width(); ++x) grown.set(x, y, canvas->at(x, y));
      canvas = std::move(grown);
    }
    for (long y = 0; y < fh; ++y)
      for (long x = 0; x < fw; ++x) {
        const size_t i = data_at + static_cast<size_t>((y * fw + x) * 3);
        canvas->set(static_cast<int>(x + ox), static_cast<int>(y + oy),
                    Rgb{static_cast<std::uint8_t>(d[i]), static_cast<std::uint8_t>(d[i + 1]), static_cast<std::uint8_t>(d[i + 2])});
      }
    ++frames;
    write_png(*canvas, out + "/ft.png");
    write_file(out + "/ft-stats.txt", "datagrams " + std::to_string(frames) + "\nbad " + std::to_string(bad) + "\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rs485, bx, ft, out, size, font_path = escpos::kUnifontHex;
  TextFrameTemplate t;
  int width = 128;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "hallq-screen-sim: " << a << " needs a value\n" << kUsage;
      return 2;
    }
    std::string v = argv[++i];
    if (a == "--rs485") rs485 = v;
    else if (a == "--bx") bx = v;
    else if (a == "--ft") ft = v;
    else if (a == "--out") out = v;
    else if (a == "--size") size = v;
    else if (a == "--font") font_path = v;
    else if (a == "--width") width = std::atoi(v.c_str());
    else if (a == "--charset") t.charset = v;
    else if (a == "--checksum") {
      auto c = parse_checksum(v);
      if (!c) {
        std::cerr << "hallq-screen-sim: " << c.error() << "\n";
        return 2;
      }
      t.checksum = *c;
    } else if (a == "--prefix" || a == "--suffix") {
      auto b = hex(v);
      if (!b) {
        std::cerr << "hallq-screen-sim: " << a << " takes hex bytes\n";
        return 2;
      }
      (a == "--prefix" ? t.prefix : t.suffix) = *b;
    } else {
      std::cerr << "hallq-screen-sim: unknown argument " << a << "\n" << kUsage;
      return 2;
    }
  }
  const int modes = !rs485.empty() + !bx.empty() + !ft.empty();
  if (out.empty() || modes != 1 || width < 16 || width > 1024 || t.prefix.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (!ft.empty()) {
    int w = 0, h = 0;
    if (!size.empty() && std::sscanf(size.c_str(), "%dx%d", &w, &h) != 2) {
      std::cerr << kUsage;
      return 2;
    }
    return run_ft(ft, out, w, h);
  }
  auto font = escpos::BitmapFont::load_unifont_hex(font_path);
  if (!font) {
    std::cerr << "hallq-screen-sim: font " << font_path << ": " << font.error() << "\n";
    return 1;
  }
  if (!bx.empty()) return run_bx(bx, out, *font);
  return run_rs485(rs485, out, t, width, *font);
}
