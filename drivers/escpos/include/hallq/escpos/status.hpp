#pragma once
// Printer status from ESC/POS replies: real-time DLE EOT n (one byte per query) and
// automatic status back (GS a, four-byte blocks). Pure parsing; thread-safe.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hallq::escpos {

enum class Condition { Ok, PaperNearEnd, PaperOut, CoverOpen, Offline, Error, Unknown };
std::string_view to_string(Condition c);

struct Status {
  bool answered = false;  // false: the printer never replied (status unknown; still print)
  bool offline = false;
  bool cover_open = false;
  bool paper_near_end = false;
  bool paper_out = false;
  bool error = false;
  // The one condition a person must act on first.
  Condition condition() const;
};

// DLE EOT n (10 04 n). A reply byte is valid when (b & 0x93) == 0x12.
inline constexpr bool is_dle_eot_reply(std::uint8_t b) { return (b & 0x93) == 0x12; }
// GS r 1 (1D 72 01), transmit paper sensor status. Unlike DLE EOT it is not real-time: the
// printer answers once everything sent before it has been printed, so its reply confirms a
// job. Bits 4 and 7 are 0, which tells it from DLE EOT replies and ASB first bytes.
inline constexpr bool is_gs_r_reply(std::uint8_t b) { return (b & 0x90) == 0x00; }
// Folds a GS r 1 reply (bits 0-1 near end, bits 2-3 paper end) into `s`.
void apply_gs_r1(Status& s, std::uint8_t reply);
// Folds the reply to DLE EOT n (n = 1 printer, 2 offline cause, 3 error cause, 4 paper
// sensor) into `s`; false (and `s` unchanged) if the byte is not a valid reply.
bool apply_dle_eot(Status& s, int n, std::uint8_t reply);

// GS a: a four-byte automatic status block; nothing if the bytes are not one.
std::optional<Status> parse_asb(std::span<const std::uint8_t> block);
// Where the next ASB block starts in `bytes` (first byte (b & 0x93) == 0x10, fourth
// (b & 0x90) == 0x00), or nothing.
std::optional<std::size_t> find_asb(std::span<const std::uint8_t> bytes);

}  // namespace hallq::escpos
