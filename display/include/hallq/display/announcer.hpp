#pragma once
// The voice queue of a display node (issue 6, R-HALL-7): each call is rendered from the clips
// and played in turn — announcements never overlap and none is dropped however fast clerks call
// (a hall that calls faster than the voice speaks hears every call, late). Outputs: ALSA on the
// board, one WAV file per announcement (tests, the demo, --out), or none.
// Thread-safety: say() from any thread; the queue is played on the announcer's own worker.
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "hallq/common/serial_worker.hpp"

#include "hallq/display/layout.hpp"
#include "hallq/display/voice.hpp"

namespace hallq::display {

class AudioOutput {
 public:
  virtual ~AudioOutput() = default;
  virtual std::string describe() const = 0;
  // Plays (or writes) one announcement to the end; an error text if it could not.
  virtual std::optional<std::string> play(const Pcm& pcm, const Announcement& a, std::int64_t serial) = 0;
};

// DIR/voice-<serial, 6 digits>-<number>-w<window>.wav, written whole then renamed into place.
std::unique_ptr<AudioOutput> make_wav_output(const std::string& dir);
std::unique_ptr<AudioOutput> make_null_output();
// ALSA device ("default", "hw:0,0", "null", ...).
std::unique_ptr<AudioOutput> make_alsa_output(const std::string& device);

class Announcer {
 public:
  Announcer(ClipSet clips, VoiceOptions options, std::unique_ptr<AudioOutput> out);
  ~Announcer();  // finishes the announcement being said, then stops
  Announcer(const Announcer&) = delete;
  Announcer& operator=(const Announcer&) = delete;

  void say(const Announcement& a);
  std::size_t queued() const;  // calls not yet said, the one being said included
  std::int64_t said() const;

 private:
  ClipSet clips_;
  VoiceOptions options_;
  std::unique_ptr<AudioOutput> out_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<std::int64_t> said_{0};
  std::atomic<bool> stopping_{false};
  SerialWorker worker_;  // last: its jobs use the clips and the output
};

}  // namespace hallq::display
