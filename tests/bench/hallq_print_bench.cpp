// hallq-print-bench: what printing one document costs. For each layout (sample data):
// bytes sent to the printer, encode time (native QR, and with the rare-character raster
// path), decode + PNG time (the simulator's and preview's work), and the time from the first
// byte sent to a job written by hallq-printer-sim is measured by tests/bench/print.sh.
//   hallq-print-bench [--iterations N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hallq/escpos/glyphs.hpp"
#include "hallq/escpos/layouts.hpp"
#include "hallq/escpos/render.hpp"

using namespace hallq::escpos;
using Clock = std::chrono::steady_clock;

namespace {

template <class F>
double micros_per(int n, F&& f) {
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 2000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--iterations") n = std::max(1, std::atoi(argv[++i]));
  auto fonts = FontGlyphs::open(kGlyphFonts);
  auto unifont = BitmapFont::load_unifont_hex(kUnifontHex);
  if (!fonts || !unifont) {
    std::fprintf(stderr, "hallq-print-bench: fonts missing (fonts-hanazono, unifont)\n");
    return 1;
  }
  struct Case {
    const char* name;
    Document doc;
  };
  std::vector<Case> cases = {
      {"ticket", ticket(sample_ticket(), sample_options())},
      {"supplement-notice (2 copies, rare char)", supplement_notice(sample_supplement_notice(), sample_options())},
      {"acceptance-notice", acceptance_notice(sample_acceptance_notice(), sample_options())},
  };
  std::printf("%-42s %8s %12s %12s %14s\n", "layout (58 mm)", "bytes", "encode us", "raster-QR us", "decode+PNG ms");
  for (auto& c : cases) {
    Encoder native(PrinterProfile{}, fonts->source());
    PrinterProfile rp;
    rp.native_qr = false;
    Encoder raster(rp, fonts->source());
    auto bytes = native.encode(c.doc);
    if (!bytes) return 1;
    double enc = micros_per(n, [&] { (void)native.encode(c.doc); });
    double enc_r = micros_per(std::max(1, n / 10), [&] { (void)raster.encode(c.doc); });
    double dec = micros_per(std::max(1, n / 100), [&] {
                   auto job = decode(*bytes, 384, &*unifont);
                   (void)write_png(job.page, "/tmp/hallq-print-bench.png");
                 }) / 1000.0;
    std::printf("%-42s %8zu %12.1f %12.1f %14.2f\n", c.name, bytes->size(), enc, enc_r, dec);
  }
  std::remove("/tmp/hallq-print-bench.png");
  return 0;
}
