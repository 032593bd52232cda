#include "hallq/kiosk/journal.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "hallq/common/atomic_file.hpp"

namespace hallq::kiosk {
namespace json = boost::json;

const char* to_string(PendingTicket::Stage s) {
  switch (s) {
    case PendingTicket::Stage::Issuing: return "issuing";
    case PendingTicket::Stage::Printing: return "printing";
    case PendingTicket::Stage::VoidPending: return "void_pending";
  }
  return "issuing";
}

namespace {

bool stage_of(std::string_view s, PendingTicket::Stage& out) {
  for (auto st : {PendingTicket::Stage::Issuing, PendingTicket::Stage::Printing, PendingTicket::Stage::VoidPending})
    if (s == to_string(st)) {
      out = st;
      return true;
    }
  return false;
}

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

Journal::Journal(std::string path) : path_(std::move(path)) {}

Expected<bool, std::string> Journal::load() {
  entries_.clear();
  if (path_.empty()) return true;
  std::ifstream f(path_, std::ios::binary);
  if (!f) {
    if (errno == ENOENT) return true;
    return unexpected(sys_error("journal " + path_));
  }
  std::stringstream ss;
  ss << f.rdbuf();
  auto damaged = [&](const std::string& why) -> Expected<bool, std::string> {
    std::string aside = path_ + ".damaged";
    std::rename(path_.c_str(), aside.c_str());
    return unexpected("journal " + path_ + " is damaged (" + why + "); moved to " + aside);
  };
  boost::system::error_code ec;
  json::value v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) return damaged("not a JSON object");
  auto* ver = v.as_object().if_contains("version");
  if (!ver || !ver->is_int64() || ver->as_int64() != 1) return damaged("unknown version");
  auto* arr = v.as_object().if_contains("pending");
  if (!arr || !arr->is_array()) return damaged("no pending list");
  std::vector<PendingTicket> out;
  for (const auto& e : arr->as_array()) {
    if (!e.is_object()) return damaged("an entry is not an object");
    const json::object& o = e.as_object();
    PendingTicket t;
    auto* stage = o.if_contains("stage");
    auto* rid = o.if_contains("request_id");
    auto* id = o.if_contains("ticket");
    if (!stage || !stage->is_string() || !stage_of(stage->as_string(), t.stage)) return damaged("bad stage");
    if (!rid || !rid->is_string() || rid->as_string().empty()) return damaged("bad request id");
    if (!id || !id->is_int64() || id->as_int64() < 0) return damaged("bad ticket id");
    t.request_id = std::string(rid->as_string());
    t.ticket = id->as_int64();
    if (t.stage != PendingTicket::Stage::Issuing && t.ticket == 0) return damaged("no ticket id");
    if (auto* n = o.if_contains("number"); n && n->is_string()) t.number = std::string(n->as_string());
    if (auto* r = o.if_contains("reason"); r && r->is_string()) t.reason = std::string(r->as_string());
    out.push_back(std::move(t));
  }
  entries_ = std::move(out);
  return true;
}

Expected<bool, std::string> Journal::put(const PendingTicket& t) {
  std::vector<PendingTicket> next = entries_;
  bool replaced = false;
  for (auto& e : next)
    if (e.request_id == t.request_id) {
      e = t;
      replaced = true;
    }
  if (!replaced) next.push_back(t);
  return save(next);
}

Expected<bool, std::string> Journal::remove(const std::string& request_id) {
  std::vector<PendingTicket> next;
  for (const auto& e : entries_)
    if (e.request_id != request_id) next.push_back(e);
  if (next.size() == entries_.size()) return true;
  return save(next);
}

Expected<bool, std::string> Journal::save(const std::vector<PendingTicket>& next) {
  if (!path_.empty()) {
    json::array arr;
    for (const auto& e : next)
      arr.push_back(json::object{{"stage", to_string(e.stage)}, {"request_id", e.request_id},
                                 {"ticket", e.ticket}, {"number", e.number}, {"reason", e.reason}});
    const std::string text = json::serialize(json::object{{"version", 1}, {"pending", std::move(arr)}}) + "\n";
    // Written whole, fsynced and renamed, the folder fsynced (R-HALL-8), mode 0640 as before.
    if (auto err = write_file_atomically(path_, text, 0640)) return unexpected("journal " + err->message);
  }
  entries_ = next;  // only once it is on disk
  return true;
}

}  // namespace hallq::kiosk
