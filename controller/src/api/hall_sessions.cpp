// The Hall's credentials: who a token is, sign-in with the guard against guessing (guard.hpp),
// manager sessions, and the event streams that must close when their session ends.
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "hall.hpp"
#include "hallq/common/log.hpp"
#include "hallq/common/secret.hpp"

namespace hallq::api {
namespace json = boost::json;
using namespace std::chrono;

namespace {
// Checked against when the user is unknown, so a wrong id costs as much as a wrong PIN.
// Made with hash_secret() (same argon2id costs) from a random string nobody knows; a
// constant, because hashing at run time would block the I/O thread.
const std::string kDummyHash = "$argon2id$v=19$m=7168,t=5,p=1$YGaki0Si4+t4ksBO8YTVHw$cBLH8UjfdUiy/eBrP38xA+iAcFiP/IjkBA88m/+v5b0";
}  // namespace

Principal Hall::authenticate(std::string_view bearer) {
  Principal p;
  if (bearer.empty()) return p;
  std::string digest = token_digest(bearer);
  if (auto it = devices_.find(digest); it != devices_.end()) {
    p.kind = Principal::Kind::Device;
    p.id = it->second->id;
    p.device_kind = it->second->kind;
    p.window = it->second->window.value_or(0);
    p.windows = it->second->windows;
    if (p.window && std::find(p.windows.begin(), p.windows.end(), p.window) == p.windows.end())
      p.windows.push_back(p.window);
    p.digest = digest;
    return p;
  }
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return p;
  if (it->second.expires_ms < clock_.now().time_since_epoch().count()) return p;  // purged at the next sign-in
  const auto& s = it->second;
  p.kind = s.role == "admin" ? Principal::Kind::Admin : s.role == "manager" ? Principal::Kind::Manager : Principal::Kind::Clerk;
  p.id = s.user;
  p.window = s.window;
  p.digest = digest;
  return p;
}

std::vector<std::string> Hall::expired_sessions() const {
  std::vector<std::string> out;
  auto now_ms = clock_.now().time_since_epoch().count();
  for (const auto& [digest, row] : sessions_)
    if (row.expires_ms < now_ms) out.push_back(digest);
  return out;
}

bool Hall::credential_live(const std::string& digest) const {
  if (devices_.contains(digest)) return true;
  auto it = sessions_.find(digest);
  return it != sessions_.end() && it->second.expires_ms >= clock_.now().time_since_epoch().count();
}

void Hall::close_revoked_streams() {
  // Collected first: revoke() may unsubscribe.
  std::vector<std::shared_ptr<Subscriber>> gone;
  for (const auto& w : subscribers_)
    if (auto s = w.lock(); s && !s->credential().empty() && !credential_live(s->credential())) gone.push_back(std::move(s));
  for (auto& s : gone) s->revoke();
  if (!gone.empty()) logger("api")->info("{} event stream(s) closed: their session ended", gone.size());
}

std::vector<std::string> Hall::sessions_of(const std::string& clerk, int window) const {
  std::vector<std::string> out;
  for (const auto& [digest, row] : sessions_)
    if (row.role == "clerk" && row.user == clerk && row.window == window) out.push_back(digest);
  return out;
}
asio::awaitable<bool> Hall::check_secret(const std::string& hash, const std::string& secret) {
  bool ok = co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      [this, &hash, &secret](auto handler) {
        asio::post(hash_pool_->get_executor(),
                   [h = std::move(handler), hash, secret, ex = ex_]() mutable {
                     bool r = verify_secret(hash, secret);
                     asio::post(ex, [h = std::move(h), r]() mutable { std::move(h)(r); });
                   });
      },
      asio::use_awaitable);
  co_return ok;
}

std::optional<ApiError> Hall::check_guessing(const std::string& user, const std::string& peer) {
  const std::string day = format_date(tz_.to_local(clock_.now()).date);
  auto r = guard_.check(user, peer, clock_.now(), day);
  if (!r) return std::nullopt;
  if (r->account_capped)
    return ApiError{429, "account_locked",
                    "this account had too many wrong PINs or passwords today; a manager can unlock it on /admin",
                    "该账号今日密码错误次数过多，已暂停登录，请联系中心管理员解锁"};
  const std::string left = std::to_string(r->retry_after_s);
  return ApiError{429, "locked_out", "too many wrong PINs or passwords from this address; try again in " + left + " s",
                  "密码错误次数过多，请 " + left + " 秒后再试"};
}

void Hall::record_failure(const std::string& user, const std::string& given, const std::string& peer,
                          const std::string& where) {
  const std::string day = format_date(tz_.to_local(clock_.now()).date);
  const auto f = guard_.fail(user, peer, clock_.now(), day);
  // Every failure names the account tried and the address (docs/security.md).
  logger("api")->warn("wrong PIN or password for '{}'{} {} from {}: {} today from this address, {} for the account{}", given,
                      user.empty() ? " (no such account)" : "", where, peer, f.from_address, f.account,
                      f.locked_s ? fmt::format("; this address is locked out for {} s", f.locked_s) : std::string());
  if (f.capped)
    logger("api")->error("account '{}' reached policy.pin_daily_failures ({}) today: it signs in only from addresses it "
                         "used before until a manager unlocks it",
                         user, config_.policy.pin_daily_failures);
}

std::vector<SignInGuard::Guessing> Hall::sign_in_guessing() const {
  return guard_.guessing(format_date(tz_.to_local(clock_.now()).date));
}

bool Hall::unlock_account(const std::string& user, const Principal& by) {
  const bool was = guard_.unlock(user);
  logger("api")->warn("account '{}' unlocked by {}{}", user, by.id, was ? "" : " (it was not locked)");
  return was;
}

asio::awaitable<Expected<json::value, ApiError>> Hall::sign_in(int window, const std::string& clerk,
                                                               const std::string& pin, const std::string& peer) {
  const ClerkConfig* c = config_.find_clerk(clerk);
  const std::string account = c ? clerk : std::string();
  if (auto locked = check_guessing(account, peer)) co_return unexpected(*locked);
  // An unknown clerk costs the same hash as a known one, so ids cannot be probed by timing.
  const std::string& hash = c ? c->pin_hash : kDummyHash;
  bool ok = co_await check_secret(hash, pin);
  ok = ok && c;
  if (!ok) {
    record_failure(account, clerk, peer, "at window " + std::to_string(window));
    co_return unexpected(ApiError{401, "bad_credentials", "wrong clerk id or PIN", "工号或密码错误"});
  }
  guard_.succeed(account, peer);
  if (!config_.centre.demo && is_demo_secret(pin)) {
    logger("api")->warn("sign-in of '{}' at window {} refused: the PIN is a public demo PIN and [centre] demo is false",
                        clerk, window);
    co_return unexpected(ApiError{403, "demo_credential",
                                  "this PIN is a public demo PIN; a manager sets a new one (hallq-controller --hash-secret)",
                                  "该密码为公开的演示密码，已停用，请联系管理员重新设置"});
  }
  std::string token = random_token();
  store::CommitItem extra;
  store::SessionRow row{token_digest(token), "clerk", clerk, window,
                        (clock_.now() + hours{config_.policy.session_hours}).time_since_epoch().count()};
  extra.sessions_put.push_back(row);
  extra.sessions_del = expired_sessions();
  const engine::Command cmd = engine::SignIn{window};
  const engine::Actor actor{engine::Actor::Kind::Clerk, clerk};
  auto r = co_await run(cmd, actor, extra);
  if (!r) co_return unexpected(r.error());
  const engine::WindowStatus* w = engine_->find_window(window);
  co_return json::value(json::object{{"token", token},
                                     {"post", w && w->post == engine::Post::B ? "B" : "A"},
                                     {"window", window},
                                     {"clerk", clerk},
                                     {"expires_at", format_rfc3339(TimePoint{milliseconds{row.expires_ms}}, tz_)}});
}

asio::awaitable<Expected<json::value, ApiError>> Hall::open_session(const std::string& user,
                                                                    const std::string& password,
                                                                    const std::string& peer) {
  const ClerkConfig* c = config_.find_clerk(user);
  const std::string account = c ? user : std::string();
  if (auto locked = check_guessing(account, peer)) co_return unexpected(*locked);
  const std::string& hash = c ? c->pin_hash : kDummyHash;
  bool ok = co_await check_secret(hash, password);
  ok = ok && c;
  if (!ok) {
    record_failure(account, user, peer, "for a manager session");
    co_return unexpected(ApiError{401, "bad_credentials", "wrong user or password", "用户名或密码错误"});
  }
  guard_.succeed(account, peer);
  if (c->role == Role::Clerk) co_return unexpected(ApiError{403, "not_a_manager", "clerks sign in at a window", "工作人员请在窗口签到"});
  if (!config_.centre.demo && is_demo_secret(password)) {
    logger("api")->warn("session for '{}' refused: the password is a public demo password and [centre] demo is false", user);
    co_return unexpected(ApiError{403, "demo_credential",
                                  "this password is a public demo password; set a new one (hallq-controller --hash-secret)",
                                  "该密码为公开的演示密码，已停用，请重新设置"});
  }
  std::string token = random_token();
  std::string role = c->role == Role::Admin ? "admin" : "manager";
  store::CommitItem item;
  item.sessions_put.push_back(store::SessionRow{token_digest(token), role, user, 0,
                                                (clock_.now() + hours{config_.policy.session_hours}).time_since_epoch().count()});
  item.sessions_del = expired_sessions();
  auto put = item.sessions_put;
  auto del = item.sessions_del;
  std::optional<std::string> failure = co_await commit(item);
  if (failure) co_return unexpected(ApiError{503, "storage_failed", *failure, "系统存储故障，请稍后重试"});
  for (auto& s : put) sessions_[s.digest] = s;
  for (auto& d : del) sessions_.erase(d);
  co_return json::value(json::object{{"token", token},
                                     {"role", role},
                                     {"user", user},
                                     {"name", c->name},
                                     {"expires_at", format_rfc3339(TimePoint{milliseconds{put.front().expires_ms}}, tz_)}});
}

asio::awaitable<Expected<json::value, ApiError>> Hall::close_session(const Principal& p, const bool& everywhere) {
  store::CommitItem item;
  item.sessions_del.push_back(p.digest);
  if (everywhere)
    for (const auto& [digest, row] : sessions_)
      if (row.user == p.id && digest != p.digest) item.sessions_del.push_back(digest);
  const std::vector<std::string> del = item.sessions_del;
  std::optional<std::string> failure = co_await commit(item);
  if (failure) co_return unexpected(ApiError{503, "storage_failed", *failure, "系统存储故障，请稍后重试"});
  for (auto& d : del) sessions_.erase(d);
  close_revoked_streams();
  co_return json::value(json::object{{"signed_out", true}, {"sessions", static_cast<std::int64_t>(del.size())}});
}

}  // namespace hallq::api
