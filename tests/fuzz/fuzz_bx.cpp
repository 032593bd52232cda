// libFuzzer: the Onbon BX frame decoder and the A3 06 parser (the screen simulator's side; the
// sink's encoder on the way back). Two modes, chosen by the first byte:
//   noise:  arbitrary bytes in arbitrary chunks. Never crashes; a decoded frame re-framed
//           decodes to the same address and data; a parsed text update re-encoded parses to
//           the same areas.
//   frames: text updates built from the input, encoded, concatenated and fed in chunks cut
//           anywhere: every one is found and parses back to what was sent, no bad frame.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "hallq/display/bx.hpp"

using namespace hallq::display;

namespace {
void round_trip(const BxFrame& f) {
  BxDecoder again;
  auto back = again.feed(encode_bx_frame(f.screen, f.source, f.data));
  if (back.size() != 1 || back[0].screen != f.screen || back[0].source != f.source || back[0].data != f.data) std::abort();
  auto d = parse_bx_dynamic_text(f);
  if (!d) return;
  auto bytes = encode_bx_dynamic_text(*d);
  if (!bytes) return;  // e.g. geometry the encoder refuses
  BxDecoder dec;
  auto frames = dec.feed(*bytes);
  if (frames.size() != 1) std::abort();
  auto d2 = parse_bx_dynamic_text(frames[0]);
  if (!d2 || d2->areas != d->areas || d2->delete_ids != d->delete_ids) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const bool frames_mode = data[0] & 1;
  const std::size_t chunk = 1 + data[1] % 64;
  std::span<const std::uint8_t> in(data + 2, size - 2);

  if (!frames_mode) {
    BxDecoder d;
    int bad = 0;
    for (std::size_t at = 0; at < in.size(); at += chunk) {
      for (const auto& f : d.feed(in.subspan(at, std::min(chunk, in.size() - at)))) round_trip(f);
      if (d.bad_frames() < bad) std::abort();
      bad = d.bad_frames();
    }
    return 0;
  }

  static const char* pieces[] = {"A", "0", "9", "请", "号", "窗口", "暂停服务", " ", "欢迎光临", "Z", "办理", "℃"};
  std::vector<BxDynamicText> want;
  std::vector<std::uint8_t> bus;
  for (std::size_t i = 0; i + 4 < in.size();) {
    BxDynamicText t;
    t.screen = in[i] | (in[i + 1] << 8);
    const std::size_t areas = in[i + 2] % 4;
    i += 3;
    for (std::size_t k = 0; k < areas && i + 3 < in.size(); ++k) {
      BxArea a;
      a.id = in[i];
      a.x = in[i + 1];
      a.width = 8 + in[i + 2];
      a.y = 16 * (k % 4);
      a.effect = static_cast<std::uint8_t>(1 + in[i + 3] % 6);
      const std::size_t n = in[i + 3] % 7;
      i += 4;
      for (std::size_t c = 0; c < n && i < in.size(); ++c, ++i) a.text += pieces[in[i] % 12];
      t.areas.push_back(std::move(a));
    }
    auto bytes = encode_bx_dynamic_text(t);
    if (!bytes) std::abort();  // every piece is GB2312, the geometry in range
    bus.insert(bus.end(), bytes->begin(), bytes->end());
    want.push_back(std::move(t));
  }
  BxDecoder d;
  std::vector<BxFrame> got;
  for (std::size_t at = 0; at < bus.size(); at += chunk) {
    auto part = d.feed(std::span<const std::uint8_t>(bus).subspan(at, std::min(chunk, bus.size() - at)));
    got.insert(got.end(), part.begin(), part.end());
  }
  if (got.size() != want.size() || d.bad_frames() != 0) std::abort();
  for (std::size_t i = 0; i < got.size(); ++i) {
    auto p = parse_bx_dynamic_text(got[i]);
    if (!p || p->screen != want[i].screen || p->areas != want[i].areas) std::abort();
  }
  return 0;
}
