// hallq-print-preview: renders an ESC/POS job (the bytes a printer receives) to a PNG, as
// the paper would show it, and lists what it printed.
//   hallq-print-preview FILE.bin --out-png FILE.png [--paper 384|576] [--font unifont.hex]
//   hallq-print-preview --layout ticket|supplement-notice|acceptance-notice --sample
//                       [--out-bin FILE.bin] [--out-png FILE.png] [--paper 384|576]
//                       [--cutter] [--raster-qr]
// The second form encodes a layout with the example hall's sample data (layout work).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "hallq/escpos/glyphs.hpp"
#include "hallq/escpos/layouts.hpp"
#include "hallq/escpos/render.hpp"

namespace {

int usage(const std::string& why) {
  if (!why.empty()) std::cerr << "hallq-print-preview: " << why << "\n";
  std::cerr << "usage: hallq-print-preview FILE.bin --out-png FILE.png [--paper 384|576] [--font FILE.hex]\n"
               "       hallq-print-preview --layout ticket|supplement-notice|acceptance-notice --sample\n"
               "                           [--out-bin FILE.bin] [--out-png FILE.png] [--paper 384|576]\n"
               "                           [--cutter] [--raster-qr]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, out_png, out_bin, layout, font_path = hallq::escpos::kUnifontHex;
  int paper = 384;
  bool sample = false, cutter = false, raster_qr = false;
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
    } else if (a == "--out-bin") {
      if (!value(out_bin)) return usage("--out-bin needs a file");
    } else if (a == "--layout") {
      if (!value(layout)) return usage("--layout needs a name");
    } else if (a == "--sample") {
      sample = true;
    } else if (a == "--cutter") {
      cutter = true;
    } else if (a == "--raster-qr") {
      raster_qr = true;
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
  std::vector<std::uint8_t> bytes;
  if (!layout.empty()) {
    using namespace hallq::escpos;
    if (!sample) return usage("--layout needs --sample (layouts take their data from the daemons)");
    if (!in.empty()) return usage("give either a job file or --layout, not both");
    if (out_bin.empty() && out_png.empty()) return usage("--out-bin and/or --out-png are required");
    Document doc;
    if (layout == "ticket") doc = ticket(sample_ticket(), sample_options());
    else if (layout == "supplement-notice") doc = supplement_notice(sample_supplement_notice(), sample_options());
    else if (layout == "acceptance-notice") doc = acceptance_notice(sample_acceptance_notice(), sample_options());
    else return usage("unknown layout '" + layout + "'");
    PrinterProfile profile;
    profile.paper_dots = paper;
    profile.cutter = cutter;
    profile.native_qr = !raster_qr;
    auto fonts = FontGlyphs::open(kGlyphFonts);
    if (!fonts) std::cerr << "hallq-print-preview: " << fonts.error() << "; rare characters print as boxes\n";
    auto encoded = Encoder(profile, fonts ? fonts->source() : GlyphSource{}).encode(doc);
    if (!encoded) {
      std::cerr << "hallq-print-preview: " << encoded.error().message << "\n";
      return 1;
    }
    bytes = std::move(*encoded);
    if (!out_bin.empty()) {
      std::ofstream o(out_bin, std::ios::binary);
      o.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      if (!o) {
        std::cerr << "hallq-print-preview: " << out_bin << ": cannot write\n";
        return 1;
      }
      std::cout << out_bin << ": " << bytes.size() << " bytes\n";
    }
    if (out_png.empty()) return 0;
  } else {
    if (in.empty() || out_png.empty()) return usage("a job file and --out-png are required");
    std::ifstream f(in, std::ios::binary);
    if (!f) {
      std::cerr << "hallq-print-preview: " << in << ": cannot open\n";
      return 1;
    }
    bytes.assign((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
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
