#include "hallq/display/rs485_text.hpp"

#include <iconv.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace hallq::display {

namespace {

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

}  // namespace

std::optional<std::string> convert_charset(const char* to, const char* from, std::string_view in) {
  iconv_t raw = iconv_open(to, from);
  if (raw == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<void, IconvCloser> cd(raw);
  std::string src(in), out(in.size() * 4 + 8, '\0');
  char* inp = src.data();
  size_t inleft = src.size();
  char* outp = out.data();
  size_t outleft = out.size();
  if (iconv(raw, &inp, &inleft, &outp, &outleft) == static_cast<size_t>(-1)) return std::nullopt;
  out.resize(out.size() - outleft);
  return out;
}

namespace {

std::size_t checksum_size(Checksum c) { return c == Checksum::None ? 0 : c == Checksum::Crc16Arc ? 2 : 1; }

std::vector<std::uint8_t> checksum_bytes(Checksum c, std::span<const std::uint8_t> body) {
  switch (c) {
    case Checksum::None: return {};
    case Checksum::Sum8: {
      std::uint8_t s = 0;
      for (auto b : body) s = static_cast<std::uint8_t>(s + b);
      return {s};
    }
    case Checksum::Xor8: {
      std::uint8_t s = 0;
      for (auto b : body) s ^= b;
      return {s};
    }
    case Checksum::Crc16Arc: {
      const std::uint16_t crc = crc16_arc(body);
      return {static_cast<std::uint8_t>(crc & 0xFF), static_cast<std::uint8_t>(crc >> 8)};
    }
  }
  return {};
}

}  // namespace

Expected<Checksum, std::string> parse_checksum(std::string_view s) {
  if (s == "none") return Checksum::None;
  if (s == "sum8") return Checksum::Sum8;
  if (s == "xor") return Checksum::Xor8;
  if (s == "crc16") return Checksum::Crc16Arc;
  return unexpected("checksum is none, sum8, xor or crc16, got \"" + std::string(s) + "\"");
}

std::uint16_t crc16_arc(std::span<const std::uint8_t> bytes) {
  std::uint16_t crc = 0;
  for (auto b : bytes) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = static_cast<std::uint16_t>(crc & 1 ? (crc >> 1) ^ 0xA001 : crc >> 1);
  }
  return crc;
}

Expected<std::vector<std::uint8_t>, std::string> encode_text_frame(const TextFrameTemplate& t, int address,
                                                                    std::string_view utf8) {
  if (address < 0 || address > 255) return unexpected("address " + std::to_string(address) + " is not 0..255");
  auto text = convert_charset(t.charset.c_str(), "UTF-8", utf8);
  if (!text) {
    // Built by append: GCC 12's -Wrestrict misfires on a chain of operator+ here at -O3.
    std::string m = "\"";
    m.append(utf8).append("\" has a character ").append(t.charset).append(" lacks");
    return unexpected(std::move(m));
  }
  if (text->size() > 255) return unexpected("the text is " + std::to_string(text->size()) + " bytes; at most 255");
  std::vector<std::uint8_t> body;
  body.reserve(2 + text->size());
  body.push_back(static_cast<std::uint8_t>(address));
  body.push_back(static_cast<std::uint8_t>(text->size()));
  for (char c : *text) body.push_back(static_cast<std::uint8_t>(c));
  std::vector<std::uint8_t> out(t.prefix);
  out.insert(out.end(), body.begin(), body.end());
  auto sum = checksum_bytes(t.checksum, body);
  out.insert(out.end(), sum.begin(), sum.end());
  out.insert(out.end(), t.suffix.begin(), t.suffix.end());
  return out;
}

std::vector<TextFrame> TextFrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  std::vector<TextFrame> out;
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  const std::size_t pre = t_.prefix.size(), suf = t_.suffix.size(), sum = checksum_size(t_.checksum);
  enum class Try { Incomplete, Bad, Ok };
  // Reads the frame that starts at `start` (a prefix there), into `frame` and `total` bytes.
  auto try_frame = [&](std::size_t start, TextFrame& frame, std::size_t& total) {
    if (buf_.size() - start < pre + 2) return Try::Incomplete;
    const std::size_t len = buf_[start + pre + 1];
    total = pre + 2 + len + sum + suf;
    if (buf_.size() - start < total) return Try::Incomplete;
    std::span<const std::uint8_t> body(buf_.data() + start + pre, 2 + len);
    const auto want = checksum_bytes(t_.checksum, body);
    const auto after = buf_.begin() + static_cast<std::ptrdiff_t>(start + pre + 2 + len);
    if (!std::equal(want.begin(), want.end(), after) ||
        !std::equal(t_.suffix.begin(), t_.suffix.end(), after + static_cast<std::ptrdiff_t>(sum)))
      return Try::Bad;
    auto text = convert_charset("UTF-8", t_.charset.c_str(),
                        std::string_view(reinterpret_cast<const char*>(buf_.data() + start + pre + 2), len));
    if (!text) return Try::Bad;
    frame = TextFrame{buf_[start + pre], std::move(*text)};
    return Try::Ok;
  };
  auto next_prefix = [&](std::size_t from) {
    auto it = std::search(buf_.begin() + static_cast<std::ptrdiff_t>(from), buf_.end(), t_.prefix.begin(), t_.prefix.end());
    return static_cast<std::size_t>(it - buf_.begin());
  };
  std::size_t at = 0;
  while (true) {
    const std::size_t start = next_prefix(at);
    if (start >= buf_.size()) {
      // Keep a tail that could be the start of a prefix.
      const std::size_t keep = std::min(buf_.size() - at, pre > 0 ? pre - 1 : 0);
      skipped_ += buf_.size() - at - keep;
      at = buf_.size() - keep;
      break;
    }
    skipped_ += start - at;
    TextFrame frame;
    std::size_t total = 0;
    Try r = try_frame(start, frame, total);
    if (r == Try::Incomplete) {
      // A prefix byte in noise can claim a length running far ahead: if a later prefix starts a
      // whole, valid frame, this one was no frame.
      std::size_t later = next_prefix(start + 1);
      while (later < buf_.size()) {
        TextFrame f2;
        std::size_t t2 = 0;
        if (try_frame(later, f2, t2) == Try::Ok) break;
        later = next_prefix(later + 1);
      }
      if (later >= buf_.size()) {
        at = start;
        break;  // wait for more bytes
      }
      r = Try::Bad;
    }
    if (r == Try::Bad) {
      ++bad_;
      skipped_ += 1;
      at = start + 1;
      continue;
    }
    out.push_back(std::move(frame));
    at = start + total;
  }
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(at));
  if (buf_.size() > 4096) {  // a stuck half-frame never grows memory
    skipped_ += buf_.size();
    buf_.clear();
  }
  return out;
}

}  // namespace hallq::display
