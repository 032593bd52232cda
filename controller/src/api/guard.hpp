#pragma once
// Defences against guessing and flooding from the hall LAN (issue 26): token buckets per key
// (devices, addresses), and the sign-in guard that slows PIN and password guessing without
// letting one address lock an account out everywhere.
// Pure bookkeeping: no I/O, no clock reads (callers pass `now` and the hall's local day).
// Thread-safety: none; the Hall uses them on the I/O thread only.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hallq/common/time.hpp"

namespace hallq::api {

// One token bucket per key: `burst` requests at once, refilled at `per_s` a second. At most
// `max_keys` keys are tracked; past that, full buckets are forgotten first (a flood of new
// addresses cannot grow memory).
class TokenBuckets {
 public:
  TokenBuckets(double per_s, double burst, std::size_t max_keys = 4096);
  // Takes a token for `key`; false (and nothing taken) when its bucket is empty.
  bool take(const std::string& key, TimePoint now);
  void clear() { buckets_.clear(); }
  std::size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    TimePoint at;
  };
  void forget_full(TimePoint now);

  double per_s_, burst_;
  std::size_t max_keys_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Wrong PINs and passwords, per account and per address (docs/security.md).
//  - Each (account, address) pair may fail `max_failures` times a day; each failure past that
//    locks the pair for `lockout_s`, doubled at every further failure (at most a day). Other
//    addresses are not affected: guessing from one host cannot lock a clerk out of their PC.
//  - An account that fails `daily_cap` times in a day, from all addresses together, takes no
//    more sign-ins that day except from the addresses it signed in from before, until a
//    manager unlocks it (POST /api/v1/accounts/{user}/unlock).
//  - Unknown accounts are counted per address under one name, so probing ids is slowed alike.
class SignInGuard {
 public:
  struct Settings {
    int max_failures = 5;
    int lockout_s = 300;
    int daily_cap = 20;
  };
  struct Refusal {
    int retry_after_s = 0;  // 0: not before a manager unlocks the account (or tomorrow)
    bool account_capped = false;
  };
  struct Failure {
    int from_address = 0;  // failures of this account from this address today
    int account = 0;       // failures of this account today, all addresses
    int locked_s = 0;      // the pair is now locked this long (0: not locked)
    bool capped = false;   // this failure reached the account's daily cap
  };
  // An account being guessed at today: for the manager's alert.
  struct Guessing {
    std::string user;
    int failures = 0;
    std::vector<std::string> addresses;  // where the failures came from, most first
    bool capped = false;
  };

  explicit SignInGuard(Settings s) : settings_(s) {}
  void set_settings(Settings s) { settings_ = s; }

  // `user` is "" for an id that names no account. `day` is the hall's local date.
  std::optional<Refusal> check(const std::string& user, const std::string& address, TimePoint now,
                               const std::string& day);
  Failure fail(const std::string& user, const std::string& address, TimePoint now, const std::string& day);
  void succeed(const std::string& user, const std::string& address);
  // A manager lifts the account's daily cap and the locks of all its addresses.
  bool unlock(const std::string& user);
  // Accounts with at least max_failures failures today.
  std::vector<Guessing> guessing(const std::string& day) const;

 private:
  struct Pair {
    int failures = 0;
    TimePoint locked_until{};
  };
  struct Account {
    std::string day;
    int failures = 0;
    bool capped = false;
    std::unordered_map<std::string, Pair> by_address;
    std::vector<std::string> known;  // addresses it signed in from (newest last, a few kept)
  };
  Account& account(const std::string& user, const std::string& day);

  Settings settings_;
  std::unordered_map<std::string, Account> accounts_;
};

}  // namespace hallq::api
