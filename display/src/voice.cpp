#include "hallq/display/voice.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "hallq/common/atomic_file.hpp"

namespace hallq::display {

namespace {

std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>(v >> 8));
}

const char* kDigits[] = {"digit-0", "digit-1", "digit-2", "digit-3", "digit-4",
                         "digit-5", "digit-6", "digit-7", "digit-8", "digit-9"};

}  // namespace

Expected<Pcm, std::string> read_wav(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return unexpected(path + ": cannot open");
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() > 64u * 1024 * 1024) return unexpected(path + ": larger than 64 MiB");
  const auto* b = reinterpret_cast<const unsigned char*>(data.data());
  if (data.size() < 12 || std::memcmp(b, "RIFF", 4) != 0 || std::memcmp(b + 8, "WAVE", 4) != 0)
    return unexpected(path + ": not a RIFF/WAVE file");
  Pcm pcm;
  bool have_fmt = false;
  for (size_t at = 12; at + 8 <= data.size();) {
    const std::uint32_t size = le32(b + at + 4);
    if (size > data.size() - at - 8) return unexpected(path + ": a chunk runs past the end");
    const unsigned char* body = b + at + 8;
    if (std::memcmp(b + at, "fmt ", 4) == 0) {
      if (size < 16) return unexpected(path + ": short fmt chunk");
      const std::uint16_t format = le16(body), channels = le16(body + 2), bits = le16(body + 14);
      pcm.rate = static_cast<int>(le32(body + 4));
      if ((format != 1 && format != 0xFFFE) || channels != 1 || bits != 16 || pcm.rate < 8000 || pcm.rate > 96000)
        return unexpected(path + ": expected mono 16-bit PCM at 8..96 kHz");
      have_fmt = true;
    } else if (std::memcmp(b + at, "data", 4) == 0) {
      if (!have_fmt) return unexpected(path + ": data before fmt");
      pcm.samples.resize(size / 2);
      for (size_t i = 0; i < pcm.samples.size(); ++i)
        pcm.samples[i] = static_cast<std::int16_t>(le16(body + 2 * i));
      return pcm;
    }
    at += 8 + size + (size & 1);
  }
  return unexpected(path + ": no data chunk");
}

std::optional<std::string> write_wav(const Pcm& pcm, const std::string& path) {
  std::string out;
  const std::uint32_t bytes = static_cast<std::uint32_t>(pcm.samples.size() * 2);
  out += "RIFF";
  put32(out, 36 + bytes);
  out += "WAVEfmt ";
  put32(out, 16);
  put16(out, 1);  // PCM
  put16(out, 1);  // mono
  put32(out, static_cast<std::uint32_t>(pcm.rate));
  put32(out, static_cast<std::uint32_t>(pcm.rate * 2));
  put16(out, 2);
  put16(out, 16);
  out += "data";
  put32(out, bytes);
  for (std::int16_t s : pcm.samples) put16(out, static_cast<std::uint16_t>(s));
  if (auto err = write_file_atomically(path, out, 0666)) return err->message;
  return std::nullopt;
}

std::vector<std::string> window_numeral(int n) {
  std::vector<std::string> out;
  if (n <= 0 || n > 999) return out;
  const int hundreds = n / 100, tens = n / 10 % 10, ones = n % 10;
  if (hundreds) {
    out.emplace_back(kDigits[hundreds]);
    out.emplace_back("bai");
    if (tens == 0 && ones != 0) out.emplace_back(kDigits[0]);  // 一百零五
  }
  if (tens) {
    if (tens != 1 || hundreds) out.emplace_back(kDigits[tens]);  // 十二, but 一百一十
    out.emplace_back("shi");
  }
  if (ones) out.emplace_back(kDigits[ones]);
  return out;
}

std::vector<std::string> call_phrase(const std::string& number, int window) {
  std::vector<std::string> out{"chime", "qing"};
  for (char c : number) {
    if (c >= 'A' && c <= 'Z') out.push_back(std::string("letter-") + static_cast<char>(c - 'A' + 'a'));
    else if (c >= '0' && c <= '9') out.emplace_back(kDigits[c - '0']);  // 零一二, one by one
  }
  out.emplace_back("hao");
  out.emplace_back("dao");
  for (auto& w : window_numeral(window)) out.push_back(std::move(w));
  out.emplace_back("hao");
  out.emplace_back("chuangkou");
  out.emplace_back("banli");
  return out;
}

std::vector<std::string> clip_names() {
  std::vector<std::string> out{"chime", "qing", "hao", "dao", "chuangkou", "banli", "shi", "bai"};
  for (const char* d : kDigits) out.emplace_back(d);
  for (char c = 'a'; c <= 'z'; ++c) out.push_back(std::string("letter-") + c);
  return out;
}

Expected<ClipSet, std::string> ClipSet::load(const std::string& dir) {
  ClipSet set;
  bool first = true;
  for (const auto& name : clip_names()) {
    auto pcm = read_wav(dir + "/" + name + ".wav");
    if (!pcm) return unexpected(pcm.error());
    if (pcm->samples.empty()) return unexpected(dir + "/" + name + ".wav: no samples");
    if (first) set.rate_ = pcm->rate;
    else if (pcm->rate != set.rate_)
      return unexpected(dir + "/" + name + ".wav: " + std::to_string(pcm->rate) + " Hz, the others are " +
                        std::to_string(set.rate_) + " Hz");
    first = false;
    set.clips_[name] = std::move(pcm->samples);
  }
  return set;
}

Expected<Pcm, std::string> ClipSet::render(const std::vector<std::string>& phrase, const VoiceOptions& o) const {
  const double gain = std::clamp(o.volume, 0.1, 4.0);
  const double pace = std::clamp(o.pace, 0.5, 3.0);
  const int repeat = std::clamp(o.repeat, 1, 5);
  const size_t gap = static_cast<size_t>(rate_ * 0.120 * pace);
  Pcm out;
  out.rate = rate_;
  auto add = [&](const std::vector<std::int16_t>& clip) {
    for (std::int16_t s : clip)
      out.samples.push_back(static_cast<std::int16_t>(std::clamp(std::lround(s * gain), -32768L, 32767L)));
  };
  auto silence = [&](size_t n) { out.samples.insert(out.samples.end(), n, 0); };
  std::vector<const std::vector<std::int16_t>*> words;
  const std::vector<std::int16_t>* chime = nullptr;
  for (const auto& name : phrase) {
    auto it = clips_.find(name);
    if (it == clips_.end()) return unexpected("no clip '" + name + "'");
    if (name == "chime") chime = &it->second;
    else words.push_back(&it->second);
  }
  if (chime) {
    add(*chime);
    silence(gap * 2);
  }
  for (int r = 0; r < repeat; ++r) {
    if (r) silence(static_cast<size_t>(rate_ * o.repeat_gap_ms / 1000.0 * pace));
    for (size_t i = 0; i < words.size(); ++i) {
      if (i) silence(gap);
      add(*words[i]);
    }
  }
  return out;
}

}  // namespace hallq::display
