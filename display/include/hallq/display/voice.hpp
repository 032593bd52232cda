#pragma once
// The Mandarin call-out (issue 6, R-HALL-7): "请 A012 号到 3 号窗口办理" assembled from
// pre-rendered clips — a chime, 请, the letters, the ticket's digits read one by one (零一二),
// 号, 到, the window number read as a number (十二), 号, 窗口, 办理 — mono S16 PCM concatenated in
// memory with short gaps, the phrase said twice. Offline: no TTS at run time; the default clips
// come from espeak-ng at build time (display/voice/make-clips.sh) and a hall may drop in
// recorded ones with the same names.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::display {

struct Pcm {
  int rate = 16000;                   // samples per second, mono
  std::vector<std::int16_t> samples;
  double seconds() const { return rate > 0 ? static_cast<double>(samples.size()) / rate : 0; }
};

// RIFF/WAVE, PCM 16-bit little-endian, mono only (what the clips are and what tests read).
Expected<Pcm, std::string> read_wav(const std::string& path);
std::optional<std::string> write_wav(const Pcm& pcm, const std::string& path);

// The clip names of one call, chime first: chime qing letter-a digit-0 digit-1 digit-2 hao dao
// digit-3 hao chuangkou banli. Characters other than A–Z and 0–9 in the number are skipped.
std::vector<std::string> call_phrase(const std::string& number, int window);
// A window number 1..999 read as a number: 3 → 三, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
std::vector<std::string> window_numeral(int n);
// Every clip a call can need (the clip set must have all of them).
std::vector<std::string> clip_names();

struct VoiceOptions {
  double volume = 1.0;   // gain, 0.1..4 (samples are clipped, not wrapped)
  double pace = 1.0;     // 1 = 120 ms between words; 1.5 = slower (longer pauses), for the elderly
  int repeat = 2;        // times the phrase is said, 1..5
  int repeat_gap_ms = 700;
};

class ClipSet {
 public:
  // Loads DIR/<name>.wav for every clip_names(); all in one format (mono S16, one rate).
  static Expected<ClipSet, std::string> load(const std::string& dir);
  // The announcement: the chime, then the phrase (without the chime) `repeat` times.
  Expected<Pcm, std::string> render(const std::vector<std::string>& phrase, const VoiceOptions& o) const;
  int rate() const { return rate_; }
  const std::map<std::string, std::vector<std::int16_t>>& clips() const { return clips_; }

 private:
  int rate_ = 16000;
  std::map<std::string, std::vector<std::int16_t>> clips_;
};

}  // namespace hallq::display
