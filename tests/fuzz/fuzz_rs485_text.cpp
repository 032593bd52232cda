// libFuzzer: the RS-485 text-frame decoder (the screen simulator's side of the bus, and the
// keypads' frames later). Two modes, chosen by the first byte:
//   noise:  arbitrary bytes in arbitrary chunks. Never crashes; every frame it reports is a
//           real one (re-encoding its text gives a frame that decodes to the same thing).
//   frames: valid frames built from the input, concatenated and fed in chunks cut anywhere.
//           Every frame is found, in order, none invented, no bad frame counted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "hallq/display/rs485_text.hpp"

using namespace hallq::display;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  TextFrameTemplate t;
  t.checksum = static_cast<Checksum>(data[0] % 4);
  t.charset = (data[0] & 4) ? "GB2312" : "GB18030";
  if (data[0] & 8) t.prefix = {0xAA, 0xBB};
  if (data[0] & 16) t.suffix = {};
  const bool frames_mode = data[0] & 32;
  const std::size_t chunk = 1 + data[1] % 64;
  std::span<const std::uint8_t> in(data + 2, size - 2);

  if (!frames_mode) {
    TextFrameDecoder d(t);
    int bad = 0;
    for (std::size_t at = 0; at < in.size(); at += chunk) {
      for (const auto& f : d.feed(in.subspan(at, std::min(chunk, in.size() - at)))) {
        auto enc = encode_text_frame(t, f.address, f.text);
        if (enc) {
          TextFrameDecoder again(t);
          auto back = again.feed(*enc);
          if (back.size() != 1 || back[0] != f) std::abort();
        }
      }
      if (d.bad_frames() < bad) std::abort();
      bad = d.bad_frames();
    }
    return 0;
  }

  // Frames: each from (address byte, length byte % 12, that many text pieces).
  static const char* pieces[] = {"A", "0", "9", "请", "号", "窗口", "暂停服务", " ", "欢迎光临", "Z", "办理", "\xe4\xb8\x80"};
  std::vector<TextFrame> want;
  std::vector<std::uint8_t> bus;
  for (std::size_t i = 0; i + 1 < in.size();) {
    TextFrame f;
    f.address = in[i];
    const std::size_t n = in[i + 1] % 12;
    i += 2;
    for (std::size_t k = 0; k < n && i < in.size(); ++k, ++i) f.text += pieces[in[i] % 12];
    auto enc = encode_text_frame(t, f.address, f.text);
    if (!enc) std::abort();  // every piece is in GB2312 and the text is short
    bus.insert(bus.end(), enc->begin(), enc->end());
    want.push_back(std::move(f));
  }
  TextFrameDecoder d(t);
  std::vector<TextFrame> got;
  for (std::size_t at = 0; at < bus.size(); at += chunk) {
    auto part = d.feed(std::span<const std::uint8_t>(bus).subspan(at, std::min(chunk, bus.size() - at)));
    got.insert(got.end(), part.begin(), part.end());
  }
  if (got != want || d.bad_frames() != 0) std::abort();
  return 0;
}
