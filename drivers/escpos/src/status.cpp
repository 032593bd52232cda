#include "hallq/escpos/status.hpp"

namespace hallq::escpos {

std::string_view to_string(Condition c) {
  switch (c) {
    case Condition::Ok: return "ok";
    case Condition::PaperNearEnd: return "paper_near_end";
    case Condition::PaperOut: return "paper_out";
    case Condition::CoverOpen: return "cover_open";
    case Condition::Offline: return "offline";
    case Condition::Error: return "error";
    case Condition::Unknown: return "unknown";
  }
  return "unknown";
}

Condition Status::condition() const {
  if (!answered) return Condition::Unknown;
  if (cover_open) return Condition::CoverOpen;
  if (paper_out) return Condition::PaperOut;
  if (error) return Condition::Error;
  if (offline) return Condition::Offline;
  if (paper_near_end) return Condition::PaperNearEnd;
  return Condition::Ok;
}

bool apply_dle_eot(Status& s, int n, std::uint8_t b) {
  // Rejected input (not a reply, or a query we never send) leaves the status untouched.
  if (!is_dle_eot_reply(b) || n < 1 || n > 4) return false;
  s.answered = true;
  switch (n) {
    case 1:  // printer status: bit 3 offline
      s.offline = b & 0x08;
      break;
    case 2:  // offline cause: bit 2 cover open, bit 5 stopped at paper end, bit 6 error
      s.cover_open = b & 0x04;
      s.paper_out = s.paper_out || (b & 0x20);
      s.error = s.error || (b & 0x40);
      break;
    case 3:  // error cause: bit 3 cutter, bit 5 unrecoverable, bit 6 auto-recoverable
      s.error = s.error || (b & 0x68);
      break;
    case 4:  // paper sensor: bits 2-3 near end, bits 5-6 paper end
      s.paper_near_end = b & 0x0C;
      s.paper_out = s.paper_out || (b & 0x60);
      break;
    default:
      return false;
  }
  return true;
}

void apply_gs_r1(Status& s, std::uint8_t b) {
  s.answered = true;
  s.paper_near_end = b & 0x03;
  s.paper_out = b & 0x0C;
}

std::optional<Status> parse_asb(std::span<const std::uint8_t> k) {
  if (k.size() < 4 || (k[0] & 0x93) != 0x10 || (k[1] & 0x90) != 0x00 || (k[2] & 0x90) != 0x00 ||
      (k[3] & 0x90) != 0x00)
    return std::nullopt;
  Status s;
  s.answered = true;
  s.offline = k[0] & 0x08;
  s.cover_open = k[0] & 0x20;
  s.error = k[1] & 0x6C;            // cutter, unrecoverable, auto-recoverable errors
  s.paper_near_end = k[2] & 0x03;   // roll near-end sensor
  s.paper_out = k[2] & 0x0C;        // roll end sensor
  return s;
}

std::optional<std::size_t> find_asb(std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i + 4 <= bytes.size(); ++i)
    if (parse_asb(bytes.subspan(i, 4))) return i;
  return std::nullopt;
}

}  // namespace hallq::escpos
