#pragma once
// The kiosk's journal of tickets whose fate is not settled yet (docs/printing.md, the
// no-phantom-ticket contract): a request sent but not answered, a ticket being printed, a
// void not yet accepted. Every change is on disk (written, fsynced, renamed) before the
// kiosk acts on it, so a power cut at any moment leaves an entry that the kiosk resolves
// with the controller when it is back.
// Thread-safety: none; the desk owns it.
#include <cstdint>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::kiosk {

struct PendingTicket {
  enum class Stage {
    Issuing,      // request sent; the controller may or may not have issued it
    Printing,     // issued; not yet confirmed printed
    VoidPending,  // not printed; the void has not reached the controller yet
  };
  Stage stage = Stage::Issuing;
  std::string request_id;
  std::int64_t ticket = 0;  // 0 while issuing
  std::string number;
  std::string reason;       // VoidPending: the reason to send
};
const char* to_string(PendingTicket::Stage s);

class Journal {
 public:
  // path "" keeps the journal in memory only (tests).
  explicit Journal(std::string path);

  // Reads the file (a missing file is an empty journal). A damaged file is moved aside to
  // PATH.damaged and reported; nothing is guessed from it.
  Expected<bool, std::string> load();
  // Adds or replaces the entry with the same request id; durable when it returns.
  Expected<bool, std::string> put(const PendingTicket& t);
  Expected<bool, std::string> remove(const std::string& request_id);
  const std::vector<PendingTicket>& entries() const { return entries_; }
  const std::string& path() const { return path_; }

 private:
  Expected<bool, std::string> save(const std::vector<PendingTicket>& next);
  std::string path_;
  std::vector<PendingTicket> entries_;
};

}  // namespace hallq::kiosk
