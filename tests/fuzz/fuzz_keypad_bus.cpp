// libFuzzer: the caller-keypad frame decoder (display node side of the window RS-485 bus). Two
// modes, chosen by the first byte:
//   noise:  arbitrary bytes in arbitrary chunks. Never crashes; every frame it reports is a
//           real one (re-encoding it gives the same frame back), and with the sum8 check it
//           re-encodes to bytes that were in the input.
//   frames: valid frames built from the input, concatenated and fed in chunks cut anywhere.
//           Every frame is found, in order, none invented, no bad frame counted; keys come out
//           the same on every frame.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "hallq/display/keypad_bus.hpp"

using namespace hallq::display;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const KeypadChecksum check = (data[0] & 1) ? KeypadChecksum::None : KeypadChecksum::Sum8;
  const bool frames_mode = data[0] & 2;
  const std::size_t chunk = 1 + data[1] % 64;
  std::span<const std::uint8_t> in(data + 2, size - 2);

  if (!frames_mode) {
    KeypadDecoder d(check);
    int bad = 0;
    for (std::size_t at = 0; at < in.size(); at += chunk) {
      for (const auto& f : d.feed(in.subspan(at, std::min(chunk, in.size() - at)))) {
        const auto bytes = encode_keypad_frame(f);
        if (check == KeypadChecksum::Sum8 &&
            std::search(in.begin(), in.end(), bytes.begin(), bytes.end()) == in.end())
          std::abort();  // a frame that was not on the bus
        KeypadDecoder again(KeypadChecksum::Sum8);
        auto back = again.feed(bytes);
        if (back.size() != 1 || back[0] != f) std::abort();
        (void)keypad_key(f);
      }
      if (d.bad_frames() < bad) std::abort();
      bad = d.bad_frames();
    }
    return 0;
  }

  // Frames: each from (address, function, n % 8, n data bytes).
  std::vector<KeypadFrame> want;
  std::vector<std::uint8_t> bus;
  for (std::size_t i = 0; i + 2 < in.size();) {
    KeypadFrame f{in[i], in[i + 1], {}};
    const std::size_t n = in[i + 2] % 8;
    i += 3;
    for (std::size_t k = 0; k < n && i < in.size(); ++k, ++i) f.data.push_back(in[i]);
    for (std::uint8_t b : encode_keypad_frame(f)) bus.push_back(b);
    want.push_back(std::move(f));
  }
  KeypadDecoder d(check);
  std::vector<KeypadFrame> got;
  for (std::size_t at = 0; at < bus.size(); at += chunk) {
    auto part = d.feed(std::span<const std::uint8_t>(bus).subspan(at, std::min(chunk, bus.size() - at)));
    got.insert(got.end(), part.begin(), part.end());
  }
  if (got != want || d.bad_frames() != 0) std::abort();
  for (std::size_t i = 0; i < got.size(); ++i)
    if (keypad_key(got[i]) != keypad_key(want[i])) std::abort();
  return 0;
}
