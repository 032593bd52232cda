#pragma once
// Personal data of applicants and callers (a phone number, an ID card number, a name) is kept
// sealed: encrypted with the controller's own key (XChaCha20-Poly1305 via libsodium's
// crypto_secretbox) before it enters the engine, the event log or the database, and shown
// masked everywhere except in the view of the clerk whose case it is. The key is a file next
// to the database (DATA_DIR/case.key, mode 0600); a backup of the database needs it too.
// Thread-safety: immutable after open(); seal() and open_text() may run on any thread.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hallq/common/expected.hpp"
#include "hallq/controller/engine.hpp"

namespace hallq::api {

class Sealer {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  // Reads the key file, or creates it with a fresh random key if it does not exist. A key file
  // of the wrong size or mode is refused: sealed data would be lost or exposed.
  static Expected<std::unique_ptr<Sealer>, std::string> open(const std::string& path);
  explicit Sealer(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}

  std::string seal(std::string_view clear) const;  // "s1:" + base64(nonce | box)
  std::optional<std::string> open_text(std::string_view sealed) const;  // nullopt: not ours
  // R-EVAL-1: the secret a ticket's QR carries ([printing] ticket_url {key}), 16 hex digits
  // derived from the key and the ticket id; whoever holds the ticket may rate its service.
  std::string ticket_key(std::int64_t ticket) const;
  bool ticket_key_ok(std::int64_t ticket, std::string_view key) const;  // constant time

 private:
  std::array<unsigned char, kKeyBytes> key_;
};

// 张三丰 -> 张**; 欧阳娜娜 -> 欧***; a single character stays.
std::string mask_name(std::string_view utf8);
// 510104199001011234 -> 5101**********1234; shorter: all but the last 4 hidden.
std::string mask_id_number(std::string_view id);
enum class Personal { Name, Phone, IdNumber };
engine::Sealed seal_field(const Sealer& s, Personal kind, const std::string& clear);

}  // namespace hallq::api
