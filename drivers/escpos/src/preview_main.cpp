// hallq-print-preview: renders an ESC/POS job (the bytes a printer receives) to a PNG, as
// the paper would show it, and lists what it printed.
//   hallq-print-preview FILE.bin --out-png FILE.png [--paper 384|576] [--font unifont.hex]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "hallq/escpos/render.hpp"

namespace {

int usage(const std::string& why) {
  if (!why.empty()) std::cerr << "hallq-print-preview: " << why << "\n";
  std::cerr << "usage: hallq-print-preview FILE.bin --out-png FILE.png [--paper 384|576] [--font FILE.hex]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, out_png, font_path = hallq::escpos::kUnifontHex;
  int paper = 384;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= argc) return false;
      v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--out-png") {
      if (!value(out_png)) return usage("--out-png needs a file");
    } else if (a == "--font") {
      if (!value(font_path)) return usage("--font needs a file");
    } else if (a == "--paper") {
      if (!value(v) || (v != "384" && v != "576")) return usage("--paper is 384 (58 mm) or 576 (80 mm)");
      paper = std::stoi(v);
    } else if (a == "--help" || a == "-h") {
      return usage("");
    } else if (!a.empty() && a[0] != '-' && in.empty()) {
      in = a;
    } else {
      return usage("unknown argument '" + a + "'");
    }
  }
  if (in.empty() || out_png.empty()) return usage("a job file and --out-png are required");
  std::ifstream f(in, std::ios::binary);
  if (!f) {
    std::cerr << "hallq-print-preview: " << in << ": cannot open\n";
    return 1;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto font = hallq::escpos::BitmapFont::load_unifont_hex(font_path);
  if (!font) std::cerr << "hallq-print-preview: " << font.error() << "; text drawn as boxes\n";
  auto job = hallq::escpos::decode(bytes, paper, font ? &*font : nullptr);
  if (auto err = hallq::escpos::write_png(job.page, out_png)) {
    std::cerr << "hallq-print-preview: " << *err << "\n";
    return 1;
  }
  std::cout << out_png << ": " << job.page.width << "x" << job.page.height << " dots, " << job.lines.size()
            << " lines, " << job.qr.size() << " QR, " << job.rasters << " raster, " << job.cuts << " cuts\n";
  for (const auto& l : job.lines) std::cout << "  | " << l << "\n";
  for (const auto& q : job.qr) std::cout << "  QR " << q << "\n";
  for (const auto& u : job.unknown) std::cout << "  skipped " << u << "\n";
  return 0;
}
