#pragma once
// Personal data of applicants and callers (a phone number, an ID card number, a name) is kept
// sealed: encrypted (XChaCha20-Poly1305 via libsodium's crypto_secretbox) before it enters the
// engine, the event log or the database, and shown masked everywhere except in the view of the
// clerk whose case it is (or the manager answering a complaint).
//
// Keys: each month's data is sealed with that month's own random key, a file
// DATA_DIR/keys/YYYY-MM.key (32 bytes, mode 0600), made on first use. The retention setting
// ([policy] personal_data_days) destroys a month's key once the month is that many days past:
// its sealed fields can then never be opened again, although the log that holds them is
// append-only and still replays (crypto-shredding); counts and statistics do not need them.
// DATA_DIR/case.key (the controller's own key) derives the ticket QR keys and opens fields
// sealed before month keys existed ("s1:"). A backup of the database needs both.
// Thread-safety: seal(), open_text() and purge() may run on any thread (a mutex guards the
// month keys).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/controller/engine.hpp"

namespace hallq::api {

class Sealer {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  // Reads the controller's key, or creates it with a fresh random key if it does not exist, and
  // makes the month keys' folder. A key file of the wrong size or mode is refused: sealed data
  // would be lost or exposed.
  static Expected<std::unique_ptr<Sealer>, std::string> open(const std::string& path, const std::string& month_dir);
  Sealer(const std::array<unsigned char, kKeyBytes>& key, std::string month_dir)
      : key_(key), month_dir_(std::move(month_dir)) {}

  // "s2:YYYY-MM:" + base64(nonce | box) under the key of `month` ("2026-03"), made if missing.
  // Fails only when a new month key cannot be written (disk full): nothing is sealed then.
  Expected<std::string, std::string> seal(std::string_view clear, std::string_view month) const;
  std::optional<std::string> open_text(std::string_view sealed) const;  // nullopt: not ours, or purged
  // The month of a sealed value ("2026-03"), or empty for one sealed under the controller's key.
  static std::string month_of(std::string_view sealed);
  // Destroys the keys of every month before `first_kept` ("YYYY-MM") except those in `keep`
  // (months that live records still need). Returns the months destroyed, oldest first.
  Expected<std::vector<std::string>, std::string> purge(std::string_view first_kept,
                                                         const std::vector<std::string>& keep) const;
  // The month keys on disk for months before `end` ("YYYY-MM"), oldest first.
  std::vector<std::string> months_before(std::string_view end) const;
  static constexpr int kFirstYear = 2020;  // no hall sealed anything before HallQ existed
  // R-EVAL-1: the secret a ticket's QR carries ([printing] ticket_url {key}), 16 hex digits
  // derived from the key and the ticket id; whoever holds the ticket may rate its service.
  std::string ticket_key(std::int64_t ticket) const;
  bool ticket_key_ok(std::int64_t ticket, std::string_view key) const;  // constant time

 private:
  using Key = std::array<unsigned char, kKeyBytes>;
  std::optional<Key> month_key(std::string_view month, bool create, std::string* error) const;

  Key key_;
  std::string month_dir_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Key, std::less<>> months_;  // loaded month keys
};

// 张三丰 -> 张**; 欧阳娜娜 -> 欧***; a name of one character -> * (masking always hides something).
std::string mask_name(std::string_view utf8);
// 510104199001011234 -> 5101**********1234; shorter: all but the last 4 hidden.
std::string mask_id_number(std::string_view id);
enum class Personal { Name, Phone, IdNumber };
// Masks and seals one field under `month`'s key; an empty field stays empty.
Expected<engine::Sealed, std::string> seal_field(const Sealer& s, Personal kind, const std::string& clear,
                                                 std::string_view month);

}  // namespace hallq::api
