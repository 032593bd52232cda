// Writes a sample ESC/POS job made by the encoder (a ticket-like document with Chinese text,
// a URL QR and a cut) for the independent checks in tests/integration/test_print.py.
//   hallq_escpos_sample OUT.bin [--paper 384|576] [--raster-qr] [--cutter]
#include <fstream>
#include <iostream>
#include <string>

#include "hallq/escpos/encoder.hpp"
#include "hallq/escpos/glyphs.hpp"

using namespace hallq::escpos;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: hallq_escpos_sample OUT.bin [--paper 384|576] [--raster-qr] [--cutter]\n";
    return 2;
  }
  PrinterProfile p;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--paper" && i + 1 < argc) p.paper_dots = std::stoi(argv[++i]);
    else if (a == "--raster-qr") p.native_qr = false;
    else if (a == "--cutter") p.cutter = true;
  }
  Document d;
  d.text("青溪镇便民服务中心", TextStyle{1, 1, true, Align::Center})
      .rule('-')
      .text("A012", TextStyle{4, 4, true, Align::Center})
      .text("民政救助 Civil affairs", TextStyle{1, 1, false, Align::Center})
      .text("前面还有 3 人，预计等待 15 分钟", TextStyle{1, 1, false, Align::Center})
      .text("请携带：1. 居民身份证原件及复印件；2. 户口簿；3. 低保申请书（本人签字）", {}, 3)
      .qr("http://192.168.1.10:8080/t/20260302-A012", 6, 'M')
      .text("过号请重新取号  投诉电话 0571-12345", TextStyle{1, 1, false, Align::Center})
      .text("申请人：张𠮷", TextStyle{1, 1, false, Align::Left})  // 𠮷: CJK Ext-B, 4-byte GB18030
      .cut(3);
  auto fonts = FontGlyphs::open(kGlyphFonts);
  if (!fonts) {
    std::cerr << fonts.error() << "\n";
    return 1;
  }
  auto bytes = Encoder(p, fonts->source()).encode(d);
  if (!bytes) {
    std::cerr << bytes.error().message << "\n";
    return 1;
  }
  std::ofstream out(argv[1], std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  return out ? 0 : 1;
}
