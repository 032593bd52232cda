#include "hallq/display/announcer.hpp"

#include <alsa/asoundlib.h>

#include <cstdio>

#include "hallq/common/log.hpp"

namespace hallq::display {
namespace {

class WavOutput final : public AudioOutput {
 public:
  explicit WavOutput(std::string dir) : dir_(std::move(dir)) {}
  std::string describe() const override { return "wav:" + dir_; }
  std::optional<std::string> play(const Pcm& pcm, const Announcement& a, std::int64_t serial) override {
    char name[96];
    std::string number;
    for (char c : a.number)
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) number += c;
    std::snprintf(name, sizeof name, "/voice-%06lld-%s-w%d.wav", static_cast<long long>(serial), number.c_str(), a.window);
    return write_wav(pcm, dir_ + name);  // written whole under its final name
  }

 private:
  std::string dir_;
};

class NullOutput final : public AudioOutput {
 public:
  std::string describe() const override { return "none"; }
  std::optional<std::string> play(const Pcm&, const Announcement&, std::int64_t) override { return std::nullopt; }
};

// ALSA playback, blocking: the announcer's thread waits while the phrase is said, which is what
// keeps announcements from overlapping. The device is opened per announcement so that a USB
// speaker plugged in later, or a device busy for a moment, does not stop the voice for good.
class AlsaOutput final : public AudioOutput {
 public:
  explicit AlsaOutput(std::string device) : device_(std::move(device)) {}
  std::string describe() const override { return "alsa:" + device_; }
  std::optional<std::string> play(const Pcm& pcm, const Announcement&, std::int64_t) override {
    snd_pcm_t* h = nullptr;
    if (int rc = snd_pcm_open(&h, device_.c_str(), SND_PCM_STREAM_PLAYBACK, 0); rc < 0)
      return describe() + ": " + snd_strerror(rc);
    // 200 ms of buffer: the first sample is heard within it.
    int rc = snd_pcm_set_params(h, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1,
                                static_cast<unsigned>(pcm.rate), 1, 200000);
    std::optional<std::string> err;
    if (rc < 0) err = describe() + ": " + snd_strerror(rc);
    const std::int16_t* p = pcm.samples.data();
    snd_pcm_uframes_t left = pcm.samples.size();
    while (!err && left > 0) {
      snd_pcm_sframes_t n = snd_pcm_writei(h, p, left);
      if (n < 0) n = snd_pcm_recover(h, static_cast<int>(n), 1);  // an underrun: go on
      if (n < 0) {
        err = describe() + ": " + snd_strerror(static_cast<int>(n));
        break;
      }
      p += n;
      left -= static_cast<snd_pcm_uframes_t>(n);
    }
    if (!err) snd_pcm_drain(h);
    snd_pcm_close(h);
    return err;
  }

 private:
  std::string device_;
};

}  // namespace

std::unique_ptr<AudioOutput> make_wav_output(const std::string& dir) { return std::make_unique<WavOutput>(dir); }
std::unique_ptr<AudioOutput> make_null_output() { return std::make_unique<NullOutput>(); }
std::unique_ptr<AudioOutput> make_alsa_output(const std::string& device) { return std::make_unique<AlsaOutput>(device); }

Announcer::Announcer(ClipSet clips, VoiceOptions options, std::unique_ptr<AudioOutput> out)
    : clips_(std::move(clips)), options_(options), out_(std::move(out)) {}

Announcer::~Announcer() {
  stopping_ = true;  // the call being said ends; the rest is dropped (logged below)
  if (const std::size_t n = queued_) logger("voice")->warn("stopping with {} call(s) queued: the one being said ends, the rest are dropped", n);
}

void Announcer::say(const Announcement& a) {
  ++queued_;
  worker_.post([this, a] {
    if (stopping_) return;
    const std::int64_t serial = said_ + 1;
    auto pcm = clips_.render(call_phrase(a.number, a.window), options_);
    if (!pcm) {
      logger("voice")->error("cannot say {} to window {}: {}", a.number, a.window, pcm.error());
    } else if (auto e = out_->play(*pcm, a, serial)) {
      logger("voice")->error("{} (call {} to window {})", *e, a.number, a.window);
    }
    --queued_;
    ++said_;
  });
}

std::size_t Announcer::queued() const { return queued_; }

std::int64_t Announcer::said() const { return said_; }

}  // namespace hallq::display
