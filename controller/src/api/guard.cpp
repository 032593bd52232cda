#include "guard.hpp"

#include <algorithm>
#include <chrono>

namespace hallq::api {
using namespace std::chrono;

namespace {
constexpr std::size_t kKnownAddresses = 4;    // per account
constexpr std::size_t kAddressesTracked = 1024;  // per account; unlocked pairs go first past it
constexpr int kMaxLockS = 24 * 3600;
}  // namespace

TokenBuckets::TokenBuckets(double per_s, double burst, std::size_t max_keys)
    : per_s_(per_s), burst_(burst), max_keys_(max_keys) {}

void TokenBuckets::forget_full(TimePoint now) {
  std::erase_if(buckets_, [&](const auto& kv) {
    return kv.second.tokens + duration<double>(now - kv.second.at).count() * per_s_ >= burst_;
  });
}

bool TokenBuckets::take(const std::string& key, TimePoint now) {
  if (buckets_.size() >= max_keys_ && !buckets_.contains(key)) {
    forget_full(now);
    // Still full of drained buckets: the newcomer shares the fate of the drained ones.
    if (buckets_.size() >= max_keys_) return false;
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, duration<double>(now - b.at).count()) * per_s_);
  b.at = std::max(b.at, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

SignInGuard::Account& SignInGuard::account(const std::string& user, const std::string& day) {
  Account& a = accounts_[user];
  if (a.day != day) {
    // A new day: the counts start again; a lock still running keeps its time.
    a.day = day;
    a.failures = 0;
    a.capped = false;
    std::erase_if(a.by_address, [](const auto& kv) { return kv.second.locked_until == TimePoint{}; });
    for (auto& [addr, pair] : a.by_address) pair.failures = 0;
  }
  return a;
}

std::optional<SignInGuard::Refusal> SignInGuard::check(const std::string& user, const std::string& address,
                                                       TimePoint now, const std::string& day) {
  Account& a = account(user, day);
  if (a.capped && std::find(a.known.begin(), a.known.end(), address) == a.known.end())
    return Refusal{0, true};
  auto it = a.by_address.find(address);
  if (it != a.by_address.end() && it->second.locked_until > now)
    return Refusal{static_cast<int>(duration_cast<seconds>(it->second.locked_until - now).count()) + 1, false};
  return std::nullopt;
}

SignInGuard::Failure SignInGuard::fail(const std::string& user, const std::string& address, TimePoint now,
                                       const std::string& day) {
  Account& a = account(user, day);
  if (a.by_address.size() >= kAddressesTracked && !a.by_address.contains(address))
    std::erase_if(a.by_address, [&](const auto& kv) { return kv.second.locked_until <= now; });
  Pair& p = a.by_address[address];
  Failure f;
  f.from_address = ++p.failures;
  f.account = ++a.failures;
  if (p.failures >= settings_.max_failures) {
    // The first lock at the max, then doubling: 300 s, 600 s, 1200 s ... at most a day.
    const int doublings = std::min(p.failures - settings_.max_failures, 20);
    f.locked_s = static_cast<int>(std::min<long long>(static_cast<long long>(settings_.lockout_s) << doublings, kMaxLockS));
    p.locked_until = now + seconds{f.locked_s};
  }
  if (!user.empty() && !a.capped && a.failures >= settings_.daily_cap) {
    a.capped = true;
    f.capped = true;
  }
  return f;
}

void SignInGuard::succeed(const std::string& user, const std::string& address) {
  auto it = accounts_.find(user);
  if (it == accounts_.end()) {
    accounts_[user].known.push_back(address);
    return;
  }
  Account& a = it->second;
  a.by_address.erase(address);
  std::erase(a.known, address);
  a.known.push_back(address);
  if (a.known.size() > kKnownAddresses) a.known.erase(a.known.begin());
}

bool SignInGuard::unlock(const std::string& user) {
  auto it = accounts_.find(user);
  if (it == accounts_.end()) return false;
  Account& a = it->second;
  const bool was = a.capped || std::any_of(a.by_address.begin(), a.by_address.end(),
                                           [](const auto& kv) { return kv.second.locked_until != TimePoint{}; });
  a.capped = false;
  a.failures = 0;
  a.by_address.clear();
  return was;
}

std::vector<SignInGuard::Guessing> SignInGuard::guessing(const std::string& day) const {
  std::vector<Guessing> out;
  for (const auto& [user, a] : accounts_) {
    if (a.day != day || a.failures < settings_.max_failures) continue;
    Guessing g{user, a.failures, {}, a.capped};
    std::vector<std::pair<int, std::string>> by;
    for (const auto& [addr, p] : a.by_address)
      if (p.failures > 0) by.emplace_back(-p.failures, addr);
    std::sort(by.begin(), by.end());
    for (auto& [n, addr] : by) g.addresses.push_back(std::move(addr));
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const Guessing& x, const Guessing& y) { return x.user < y.user; });
  return out;
}

}  // namespace hallq::api
