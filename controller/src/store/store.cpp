#include "hallq/controller/store.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <filesystem>

#include "db.hpp"
#include "hallq/common/serial_worker.hpp"

namespace hallq::store {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// 'HALQ': marks the file as a HallQ controller database, so a foreign SQLite file is refused.
constexpr std::int64_t kApplicationId = 0x48414C51;

const char* const kSchemaV1[] = {
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, type TEXT NOT NULL, at INTEGER NOT NULL,"
    " actor_kind TEXT NOT NULL, actor_id TEXT NOT NULL, window INTEGER NOT NULL,"
    " data TEXT NOT NULL)",
    "CREATE TABLE tickets(id INTEGER PRIMARY KEY, day TEXT NOT NULL, number TEXT NOT NULL,"
    " service TEXT NOT NULL, state TEXT NOT NULL, request_id TEXT NOT NULL, row TEXT NOT NULL)",
    "CREATE INDEX tickets_day ON tickets(day)",
    "CREATE INDEX tickets_live ON tickets(state)"
    " WHERE state IN ('waiting','called','serving','held')",
    "CREATE TABLE windows(number INTEGER PRIMARY KEY, row TEXT NOT NULL)",
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE sessions(digest TEXT PRIMARY KEY, role TEXT NOT NULL, user TEXT NOT NULL,"
    " window INTEGER NOT NULL, expires INTEGER NOT NULL)",
};

// Version 2: the case register (issue 7).
const char* const kSchemaV2[] = {
    "CREATE TABLE cases(id INTEGER PRIMARY KEY, no TEXT NOT NULL, day TEXT NOT NULL,"
    " state TEXT NOT NULL, window INTEGER NOT NULL, clerk TEXT NOT NULL, row TEXT NOT NULL)",
    "CREATE INDEX cases_day ON cases(day)",
    "CREATE INDEX cases_live ON cases(state) WHERE state IN ('open','awaiting_materials','suspended','done')",
};

// Version 3: the manager's decisions (complaint answers, review follow-ups, score items, leave)
// are found without a scan of the whole log (issue 8's scores read them for any month).
const char* const kSchemaV3[] = {
    "CREATE INDEX events_manager ON events(type) WHERE actor_kind='manager'",
};

// Version 4: a case done and finished with (即办件, 退回件, or its applicant told) is "closed"
// in the state column, out of the live index: a start no longer reads every case ever
// completed (1.5 M tickets of history: 14 s and 500 MB before, the live cases only after).
const char* const kSchemaV4[] = {
    "UPDATE cases SET state='closed' WHERE state='done' AND (json_extract(row,'$.type') IN ('immediate','returned')"
    " OR json_extract(row,'$.notified_at') IS NOT NULL)",
};

// Version 5: appointments (R-APPT-1). Requests and bookings still to come are live; the rest
// stays on record by its day.
const char* const kSchemaV5[] = {
    "CREATE TABLE appointments(id INTEGER PRIMARY KEY, day TEXT NOT NULL, state TEXT NOT NULL, row TEXT NOT NULL)",
    "CREATE INDEX appointments_day ON appointments(day)",
    "CREATE INDEX appointments_live ON appointments(state) WHERE state IN ('requested','confirmed')",
};

const char* actor_kind(engine::Actor::Kind k) {
  switch (k) {
    case engine::Actor::Kind::System: return "system";
    case engine::Actor::Kind::Clerk: return "clerk";
    case engine::Actor::Kind::Device: return "device";
    case engine::Actor::Kind::Manager: return "manager";
  }
  return "system";
}

engine::Actor::Kind parse_actor_kind(const std::string& s) {
  if (s == "clerk") return engine::Actor::Kind::Clerk;
  if (s == "device") return engine::Actor::Kind::Device;
  if (s == "manager") return engine::Actor::Kind::Manager;
  return engine::Actor::Kind::System;
}

std::string describe(Db& db, const std::string& what) {
  int code = sqlite3_extended_errcode(db.handle());
  std::string m = db.path() + ": " + what + ": " + db.errmsg();
  if ((code & 0xff) == SQLITE_FULL) m += " (the disk is full)";
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
    m += " (the database file is damaged or not a HallQ database; it was left untouched —"
         " restore a backup or move it away)";
  return m;
}

}  // namespace

std::unique_ptr<Db> Db::open(const std::string& path, int flags, std::string* error) {
  sqlite3* h = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &h, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    if (error) *error = path + ": cannot open database: " + (h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
    sqlite3_close(h);
    return nullptr;
  }
  sqlite3_extended_result_codes(h, 1);
  sqlite3_busy_timeout(h, 5000);
  return std::unique_ptr<Db>(new Db(h, path));
}

Db::~Db() {
  stmts_.clear();  // statements must be finalised before the connection closes
  sqlite3_close(db_);
}

int Db::exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

StmtUse Db::stmt(const char* sql) {
  auto it = stmts_.find(std::string_view(sql));
  if (it == stmts_.end()) {
    sqlite3_stmt* s = nullptr;
    // The SQL is the program's own, but preparing reads the schema: a damaged file fails here.
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      return StmtUse(nullptr);
    }
    it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, s)).first;
  }
  return StmtUse(&it->second->reset());
}

std::string Db::errmsg() const { return sqlite3_errmsg(db_); }

int64_t Db::pragma_int(const char* name) {
  std::string sql = std::string("PRAGMA ") + name;
  sqlite3_stmt* s = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

// PASSIVE checkpoints never block the writer or readers: they copy what no reader still
// needs and leave the rest for the next round. The writer's WAL hook posts a round to the
// checkpointer's worker once the WAL holds more than kCheckpointPages pages (SQLite's own
// default threshold).
class Checkpointer {
 public:
  static constexpr int kCheckpointPages = 1000;
  static constexpr int kRestartPages = 4000;

  explicit Checkpointer(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  ~Checkpointer() { stopping_ = true; }  // a round already posted is skipped; the worker joins
  // From the writer's WAL hook (commit thread): one round at a time is posted.
  void wal_grew(int pages) {
    if (pages < kCheckpointPages || due_.exchange(true)) return;
    worker_.post([this] {
      due_ = false;
      if (!stopping_) checkpoint();
    });
  }

 private:
  void checkpoint() {
    int log_pages = 0, done = 0;
    sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done);
    // Under a steady stream of commits a passive checkpoint never catches up, and the WAL
    // only starts over once one has. Past kRestartPages, RESTART waits for the writer
    // between two transactions and finishes: short, as the passive rounds copied the rest.
    if (log_pages >= kRestartPages && done < log_pages)
      sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  }

  std::unique_ptr<Db> db_;
  std::atomic<bool> due_{false};
  std::atomic<bool> stopping_{false};
  SerialWorker worker_;  // last: its rounds use the connection
};

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {
  std::string error;
  auto cp = Db::open(db_->path(), SQLITE_OPEN_READWRITE, &error);
  // A connection learns the file is in WAL mode only once it reads it; until then it would
  // report every checkpoint as "not in WAL mode" and do nothing.
  if (cp && cp->exec("PRAGMA journal_mode=WAL") == SQLITE_OK) {
    checkpointer_ = std::make_unique<Checkpointer>(std::move(cp));
    // Replaces SQLite's automatic checkpoint, which would run inside the committing call.
    sqlite3_wal_hook(
        db_->handle(),
        [](void* arg, sqlite3*, const char*, int pages) {
          static_cast<Checkpointer*>(arg)->wal_grew(pages);
          return SQLITE_OK;
        },
        checkpointer_.get());
  }
}

Store::~Store() {
  if (checkpointer_) sqlite3_wal_hook(db_->handle(), nullptr, nullptr);
}

Expected<std::unique_ptr<Store>, std::string> Store::open(const std::string& path) {
  std::string error;
  std::error_code fs_ec;  // a path we cannot stat is left to SQLite to report
  bool existed = fs::is_regular_file(path, fs_ec) && fs::file_size(path, fs_ec) > 0 && !fs_ec;
  auto db = Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &error);
  if (!db) return unexpected(error);
  // Look before writing anything: a newer, foreign or damaged file is refused untouched.
  int64_t version = db->pragma_int("user_version");
  if (version < 0) return unexpected(describe(*db, "cannot read the schema version"));
  int64_t app = db->pragma_int("application_id");
  if (existed) {
    // The application id first: another program's user_version says nothing about ours.
    if (app != kApplicationId && !(app == 0 && version == 0 && db->pragma_int("page_count") == 0))
      return unexpected(path + ": not a HallQ database (application_id " + std::to_string(app) +
                        "); refusing to touch it");
    if (version > kSchemaVersion)
      return unexpected(path + ": the database has schema version " + std::to_string(version) +
                        ", newer than this hallq-controller understands (" +
                        std::to_string(kSchemaVersion) + "); install a newer hallq-controller");
  }
  // journal_mode answers with the mode in effect: SQLite keeps the old one silently when WAL
  // is impossible (e.g. a file system without shared memory), and durability depends on it.
  std::string mode;
  {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db->handle(), "PRAGMA journal_mode=WAL", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      mode = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  if (mode != "wal")
    return unexpected(mode.empty() ? describe(*db, "cannot set WAL mode")
                                   : path + ": cannot use WAL mode (the file system kept '" + mode +
                                         "'); put the data folder on a local file system");
  if (db->exec("PRAGMA synchronous=FULL") != SQLITE_OK)
    return unexpected(describe(*db, "cannot set synchronous=FULL"));
  // After a burst, a WAL that starts over is cut back to 16 MiB instead of keeping its peak.
  db->exec("PRAGMA journal_size_limit=16777216");
  db->exec("PRAGMA foreign_keys=ON");
  if (version < kSchemaVersion) {
    Transaction tx(*db);
    if (!tx.begun()) return unexpected(describe(*db, "cannot start the schema migration"));
    // Ordered migrations: version N -> N+1.
    if (version < 1)
      for (const char* sql : kSchemaV1)
        if (db->exec(sql) != SQLITE_OK) return unexpected(describe(*db, "schema migration failed"));
    if (version < 2)
      for (const char* sql : kSchemaV2)
        if (db->exec(sql) != SQLITE_OK) return unexpected(describe(*db, "schema migration to version 2 failed"));
    if (version < 3)
      for (const char* sql : kSchemaV3)
        if (db->exec(sql) != SQLITE_OK) return unexpected(describe(*db, "schema migration to version 3 failed"));
    if (version < 4)
      for (const char* sql : kSchemaV4)
        if (db->exec(sql) != SQLITE_OK) return unexpected(describe(*db, "schema migration to version 4 failed"));
    if (version < 5)
      for (const char* sql : kSchemaV5)
        if (db->exec(sql) != SQLITE_OK) return unexpected(describe(*db, "schema migration to version 5 failed"));
    std::string set = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
    std::string app_sql = "PRAGMA application_id=" + std::to_string(kApplicationId);
    if (db->exec(set.c_str()) != SQLITE_OK || db->exec(app_sql.c_str()) != SQLITE_OK ||
        tx.commit() != SQLITE_OK)
      return unexpected(describe(*db, "schema migration failed"));
  }
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

namespace {
// A finished ticket's row with the engine's news set on it (Changes::ticket_patches); the same
// for a commit and for verify_replay, so both write the same bytes. nullopt: not JSON objects.
std::optional<std::string> patch_ticket_row(std::string_view row, std::string_view patch) {
  boost::system::error_code ec;
  json::value r = json::parse(row, ec);
  if (ec || !r.is_object()) return std::nullopt;
  json::value p = json::parse(patch, ec);
  if (ec || !p.is_object()) return std::nullopt;
  for (const auto& [k, v] : p.as_object()) r.as_object()[k] = v;
  return json::serialize(r);
}

Expected<Loaded, std::string> load_state(Db& db, int rated_days) {
  Db* db_ = &db;
  Loaded out;
  auto meta = db_->stmt("SELECT value FROM meta WHERE key='engine'");
  int rc = meta ? meta->step() : SQLITE_ERROR;
  if (rc == SQLITE_ROW) out.meta = meta->text(0);
  else if (rc != SQLITE_DONE) return unexpected(describe(*db_, "cannot read the engine state"));
  std::string day;
  if (!out.meta.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(out.meta, ec);
    if (ec || !v.is_object()) return unexpected(db_->path() + ": the engine state row is damaged");
    if (auto* d = v.as_object().if_contains("day"); d && d->is_string()) day = d->as_string();
  }
  std::string from = day;
  if (auto d = parse_date(day); d && rated_days > 0)
    from = format_date(Date{std::chrono::sys_days{*d} - std::chrono::days{rated_days}});
  auto t = db_->stmt(
      "SELECT row FROM tickets WHERE state IN ('waiting','called','serving','held')"
      " UNION SELECT row FROM tickets WHERE day>=?1");
  if (!t) return unexpected(describe(*db_, "cannot read tickets"));
  t->bind(1, from);
  while ((rc = t->step()) == SQLITE_ROW) out.tickets.push_back(t->text(0));
  if (rc != SQLITE_DONE) return unexpected(describe(*db_, "cannot read tickets"));
  // A done case stays live until the applicant is told (R-TIME-4); the row says which.
  auto c = db_->stmt(
      "SELECT row FROM cases WHERE state IN ('open','awaiting_materials','suspended','done')"
      " UNION SELECT row FROM cases WHERE day=?1");
  if (!c) return unexpected(describe(*db_, "cannot read cases"));
  c->bind(1, day);
  while ((rc = c->step()) == SQLITE_ROW) out.cases.push_back(c->text(0));
  if (rc != SQLITE_DONE) return unexpected(describe(*db_, "cannot read cases"));
  auto a = db_->stmt(
      "SELECT row FROM appointments WHERE state IN ('requested','confirmed')"
      " UNION SELECT row FROM appointments WHERE day>=?1");
  if (!a) return unexpected(describe(*db_, "cannot read appointments"));
  a->bind(1, day);
  while ((rc = a->step()) == SQLITE_ROW) out.appointments.push_back(a->text(0));
  if (rc != SQLITE_DONE) return unexpected(describe(*db_, "cannot read appointments"));
  auto w = db_->stmt("SELECT row FROM windows ORDER BY number");
  if (!w) return unexpected(describe(*db_, "cannot read windows"));
  while ((rc = w->step()) == SQLITE_ROW) out.windows.push_back(w->text(0));
  if (rc != SQLITE_DONE) return unexpected(describe(*db_, "cannot read windows"));
  auto s = db_->stmt("SELECT digest, role, user, window, expires FROM sessions");
  if (!s) return unexpected(describe(*db_, "cannot read sessions"));
  while ((rc = s->step()) == SQLITE_ROW)
    out.sessions.push_back(SessionRow{s->text(0), s->text(1), s->text(2), static_cast<int>(s->i64(3)), s->i64(4)});
  if (rc != SQLITE_DONE) return unexpected(describe(*db_, "cannot read sessions"));
  auto q = db_->stmt("SELECT coalesce(max(seq),0) FROM events");
  if (!q || q->step() != SQLITE_ROW) return unexpected(describe(*db_, "cannot read the event log"));
  out.last_seq = q->i64(0);
  return out;
}
}  // namespace

Expected<Loaded, std::string> Store::load(int rated_days) { return load_state(*db_, rated_days); }
Expected<Loaded, std::string> StoreReader::load(int rated_days) { return load_state(*db_, rated_days); }

std::optional<std::string> Store::commit(const std::vector<const CommitItem*>& items) {
  Transaction tx(*db_);
  if (!tx.begun()) return describe(*db_, "cannot begin a transaction");
  const std::string* meta = nullptr;
  for (const CommitItem* item : items) {
    for (const auto& e : item->events) {
      auto s = db_->stmt("INSERT INTO events(seq,type,at,actor_kind,actor_id,window,data)"
                         " VALUES(?1,?2,?3,?4,?5,?6,?7)");
      if (!s) return describe(*db_, "cannot append to the event log");
      s->bind(1, e.seq).bind(2, e.type).bind(3, static_cast<std::int64_t>(e.at.time_since_epoch().count()))
          .bind(4, actor_kind(e.actor.kind)).bind(5, e.actor.id).bind(6, e.window)
          .bind(7, json::serialize(e.data));
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot append to the event log");
    }
    for (const auto& t : item->changes.tickets) {
      auto s = db_->stmt("INSERT OR REPLACE INTO tickets(id,day,number,service,state,request_id,row)"
                         " VALUES(?1,?2,?3,?4,?5,?6,?7)");
      if (!s) return describe(*db_, "cannot write a ticket");
      s->bind(1, t.id).bind(2, t.day).bind(3, t.number).bind(4, t.service).bind(5, t.state)
          .bind(6, t.request_id).bind(7, t.json);
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot write a ticket");
    }
    for (const auto& [id, patch] : item->changes.ticket_patches) {
      auto q = db_->stmt("SELECT row FROM tickets WHERE id=?1");
      if (!q) return describe(*db_, "cannot read a ticket");
      q->bind(1, id);
      const int rc = q->step();
      if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? "ticket " + std::to_string(id) + " has no row to record its rating or case on"
                                 : describe(*db_, "cannot read a ticket");
      auto row = patch_ticket_row(q->text(0), patch);
      if (!row) return "ticket " + std::to_string(id) + ": its row is damaged, the change is not recorded";
      auto u = db_->stmt("UPDATE tickets SET row=?2 WHERE id=?1");
      if (!u) return describe(*db_, "cannot write a ticket");
      u->bind(1, id).bind(2, *row);
      if (u->step() != SQLITE_DONE) return describe(*db_, "cannot write a ticket");
    }
    for (const auto& c : item->changes.cases) {
      auto s = db_->stmt("INSERT OR REPLACE INTO cases(id,no,day,state,window,clerk,row) VALUES(?1,?2,?3,?4,?5,?6,?7)");
      if (!s) return describe(*db_, "cannot write a case");
      s->bind(1, c.id).bind(2, c.no).bind(3, c.day).bind(4, c.state).bind(5, c.window).bind(6, c.clerk).bind(7, c.json);
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot write a case");
    }
    for (const auto& a : item->changes.appointments) {
      auto s = db_->stmt("INSERT OR REPLACE INTO appointments(id,day,state,row) VALUES(?1,?2,?3,?4)");
      if (!s) return describe(*db_, "cannot write an appointment");
      s->bind(1, a.id).bind(2, a.day).bind(3, a.state).bind(4, a.json);
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot write an appointment");
    }
    for (const auto& [n, row] : item->changes.windows) {
      auto s = db_->stmt("INSERT OR REPLACE INTO windows(number,row) VALUES(?1,?2)");
      if (!s) return describe(*db_, "cannot write a window");
      s->bind(1, n).bind(2, row);
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot write a window");
    }
    for (const auto& r : item->sessions_put) {
      auto s = db_->stmt("INSERT OR REPLACE INTO sessions(digest,role,user,window,expires)"
                         " VALUES(?1,?2,?3,?4,?5)");
      if (!s) return describe(*db_, "cannot write a session");
      s->bind(1, r.digest).bind(2, r.role).bind(3, r.user).bind(4, r.window).bind(5, r.expires_ms);
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot write a session");
    }
    for (const auto& d : item->sessions_del) {
      auto s = db_->stmt("DELETE FROM sessions WHERE digest=?1");
      if (!s) return describe(*db_, "cannot delete a session");
      s->bind(1, d);
      if (s->step() != SQLITE_DONE) return describe(*db_, "cannot delete a session");
    }
    if (!item->changes.meta.empty()) meta = &item->changes.meta;
  }
  if (meta) {
    auto s = db_->stmt("INSERT OR REPLACE INTO meta(key,value) VALUES('engine',?1)");
    if (!s) return describe(*db_, "cannot write the engine state");
    s->bind(1, *meta);
    if (s->step() != SQLITE_DONE) return describe(*db_, "cannot write the engine state");
  }
  if (tx.commit() != SQLITE_OK) return describe(*db_, "cannot commit");
  return std::nullopt;
}

std::int64_t Store::set_max_pages_for_test(std::int64_t pages) {
  return db_->pragma_int(("max_page_count=" + std::to_string(pages)).c_str());
}

StoreReader::StoreReader(std::unique_ptr<Db> db) : db_(std::move(db)) {}
StoreReader::~StoreReader() = default;

Expected<std::unique_ptr<StoreReader>, std::string> StoreReader::open(const std::string& path) {
  std::string error;
  auto db = Db::open(path, SQLITE_OPEN_READONLY, &error);
  if (!db) return unexpected(error);
  return std::unique_ptr<StoreReader>(new StoreReader(std::move(db)));
}

namespace {
std::vector<engine::Event> read_events(Stmt& s) {
  std::vector<engine::Event> out;
  while (s.step() == SQLITE_ROW) {
    engine::Event e;
    e.seq = s.i64(0);
    e.type = s.text(1);
    e.at = TimePoint{std::chrono::milliseconds{s.i64(2)}};
    e.actor = engine::Actor{parse_actor_kind(s.text(3)), s.text(4)};
    e.window = static_cast<int>(s.i64(5));
    boost::system::error_code ec;
    auto v = json::parse(s.text(6), ec);
    if (!ec && v.is_object()) e.data = std::move(v.as_object());
    out.push_back(std::move(e));
  }
  return out;
}
}  // namespace

std::vector<engine::Event> StoreReader::events_since(std::int64_t since, int limit) {
  auto s = db_->stmt("SELECT seq,type,at,actor_kind,actor_id,window,data FROM events"
                     " WHERE seq>?1 ORDER BY seq LIMIT ?2");
  if (!s) return {};
  s->bind(1, since).bind(2, limit);
  return read_events(*s);
}

namespace {
std::string placeholders(size_t first, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? ",?" : "?") + std::to_string(first + i);
  return out;
}
}  // namespace

std::int64_t StoreReader::first_seq_at(TimePoint t) {
  // The log's times rise with seq (one clock, one writer): a binary search over the primary key.
  auto last = db_->stmt("SELECT coalesce(max(seq),0) FROM events");
  if (!last || last->step() != SQLITE_ROW) return 1;
  std::int64_t lo = 1, hi = last->i64(0) + 1;  // answer in [lo, hi]
  auto at = db_->stmt("SELECT at FROM events WHERE seq=?1");
  if (!at) return 1;
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    at->reset();
    at->bind(1, mid);
    const bool before = at->step() == SQLITE_ROW && at->i64(0) < t.time_since_epoch().count();
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

std::vector<engine::Event> StoreReader::events_between(TimePoint from, TimePoint to, const std::vector<std::string>& types) {
  if (types.empty() || to <= from) return {};
  // A few thousand events of slack either side absorb a clock that stepped back a little.
  constexpr std::int64_t kSlack = 5000;
  const std::int64_t lo = std::max<std::int64_t>(0, first_seq_at(from) - kSlack);
  const std::int64_t hi = first_seq_at(to) + kSlack;
  const std::string sql = "SELECT seq,type,at,actor_kind,actor_id,window,data FROM events"
                          " WHERE seq>=?1 AND seq<?2 AND at>=?3 AND at<?4 AND type IN (" +
                          placeholders(5, types.size()) + ") ORDER BY seq";
  auto s = db_->stmt(sql.c_str());
  if (!s) return {};
  s->bind(1, lo).bind(2, hi).bind(3, from.time_since_epoch().count()).bind(4, to.time_since_epoch().count());
  for (size_t i = 0; i < types.size(); ++i) s->bind(static_cast<int>(5 + i), types[i]);
  return read_events(*s);
}

std::vector<engine::Event> StoreReader::manager_events(const std::vector<std::string>& types) {
  if (types.empty()) return {};
  const std::string sql = "SELECT seq,type,at,actor_kind,actor_id,window,data FROM events"
                          " WHERE actor_kind='manager' AND type IN (" + placeholders(1, types.size()) + ") ORDER BY seq";
  auto s = db_->stmt(sql.c_str());
  if (!s) return {};
  for (size_t i = 0; i < types.size(); ++i) s->bind(static_cast<int>(1 + i), types[i]);
  return read_events(*s);
}

std::vector<engine::Event> StoreReader::window_events(int window, std::int64_t after, std::int64_t before, int limit) {
  // The seq range comes first: the primary key bounds the scan to one session's events.
  auto s = db_->stmt("SELECT seq,type,at,actor_kind,actor_id,window,data FROM events"
                     " WHERE seq>?1 AND seq<?2 AND window=?3 ORDER BY seq LIMIT ?4");
  if (!s) return {};
  s->bind(1, after).bind(2, before).bind(3, static_cast<std::int64_t>(window)).bind(4, limit);
  return read_events(*s);
}

std::optional<std::string> StoreReader::ticket_row(engine::TicketId id) {
  auto s = db_->stmt("SELECT row FROM tickets WHERE id=?1");
  if (!s) return std::nullopt;
  s->bind(1, id);
  if (s->step() == SQLITE_ROW) return s->text(0);
  return std::nullopt;
}

std::optional<engine::TicketId> StoreReader::ticket_by_number(const std::string& day, const std::string& number) {
  auto s = db_->stmt("SELECT id FROM tickets WHERE day=?1 AND number=?2 ORDER BY id DESC LIMIT 1");
  if (!s) return std::nullopt;
  s->bind(1, day);
  s->bind(2, number);
  if (s->step() == SQLITE_ROW) return s->i64(0);
  return std::nullopt;
}

std::vector<std::pair<engine::TicketId, std::string>> StoreReader::all_ticket_rows() {
  std::vector<std::pair<engine::TicketId, std::string>> out;
  auto s = db_->stmt("SELECT id,row FROM tickets ORDER BY id");
  while (s && s->step() == SQLITE_ROW) out.emplace_back(s->i64(0), s->text(1));
  return out;
}

std::vector<std::pair<int, std::string>> StoreReader::all_window_rows() {
  std::vector<std::pair<int, std::string>> out;
  auto s = db_->stmt("SELECT number,row FROM windows ORDER BY number");
  while (s && s->step() == SQLITE_ROW) out.emplace_back(static_cast<int>(s->i64(0)), s->text(1));
  return out;
}

std::vector<std::pair<engine::CaseId, std::string>> StoreReader::all_case_rows() {
  std::vector<std::pair<engine::CaseId, std::string>> out;
  auto s = db_->stmt("SELECT id,row FROM cases ORDER BY id");
  while (s && s->step() == SQLITE_ROW) out.emplace_back(s->i64(0), s->text(1));
  return out;
}

std::optional<std::string> StoreReader::case_row(engine::CaseId id) {
  auto s = db_->stmt("SELECT row FROM cases WHERE id=?1");
  if (!s) return std::nullopt;
  s->bind(1, id);
  if (s->step() == SQLITE_ROW) return s->text(0);
  return std::nullopt;
}

std::vector<std::string> StoreReader::case_rows(const std::string& from, const std::string& to, int window,
                                                const std::string& clerk, int limit) {
  std::vector<std::string> out;
  auto s = db_->stmt("SELECT row FROM cases WHERE day>=?1 AND day<=?2 AND (?3=0 OR window=?3)"
                     " AND (?4='' OR clerk=?4) ORDER BY id DESC LIMIT ?5");
  if (!s) return out;
  s->bind(1, from).bind(2, to).bind(3, window).bind(4, clerk).bind(5, limit);
  while (s->step() == SQLITE_ROW) out.push_back(s->text(0));
  return out;
}

void StoreReader::for_each_ticket_row(const std::string& from_day, const std::string& to_day,
                                      const std::function<void(std::string_view)>& fn) {
  auto s = db_->stmt("SELECT row FROM tickets WHERE day>=?1 AND day<=?2 ORDER BY day, id");
  if (!s) return;
  s->bind(1, from_day).bind(2, to_day);
  while (s->step() == SQLITE_ROW) fn(s->view(0));
}

void StoreReader::for_each_case_row(const std::string& from_day, const std::string& to_day,
                                    const std::function<void(std::string_view)>& fn) {
  auto s = db_->stmt("SELECT row FROM cases WHERE day>=?1 AND day<=?2 ORDER BY day, id");
  if (!s) return;
  s->bind(1, from_day).bind(2, to_day);
  while (s->step() == SQLITE_ROW) fn(s->view(0));
}

void StoreReader::for_each_event_data(TimePoint from, TimePoint to, const std::vector<std::string>& types,
                                      const std::function<void(std::string_view, TimePoint, int, std::string_view)>& fn) {
  if (types.empty() || to <= from) return;
  constexpr std::int64_t kSlack = 5000;  // as events_between
  const std::int64_t lo = std::max<std::int64_t>(0, first_seq_at(from) - kSlack);
  const std::int64_t hi = first_seq_at(to) + kSlack;
  const std::string sql = "SELECT type,at,window,data FROM events WHERE seq>=?1 AND seq<?2 AND at>=?3 AND at<?4"
                          " AND type IN (" + placeholders(5, types.size()) + ") ORDER BY seq";
  auto s = db_->stmt(sql.c_str());
  if (!s) return;
  s->bind(1, lo).bind(2, hi).bind(3, from.time_since_epoch().count()).bind(4, to.time_since_epoch().count());
  for (size_t i = 0; i < types.size(); ++i) s->bind(static_cast<int>(5 + i), types[i]);
  while (s->step() == SQLITE_ROW)
    fn(s->view(0), TimePoint{std::chrono::milliseconds{s->i64(1)}}, static_cast<int>(s->i64(2)), s->view(3));
}

std::vector<std::pair<std::int64_t, std::string>> StoreReader::appointment_rows(const std::string& from, const std::string& to) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  auto s = db_->stmt("SELECT id,row FROM appointments WHERE day>=?1 AND day<=?2 ORDER BY day, id");
  if (!s) return out;
  s->bind(1, from).bind(2, to);
  while (s->step() == SQLITE_ROW) out.emplace_back(s->i64(0), s->text(1));
  return out;
}

std::optional<std::string> verify_replay(const std::string& path, const HallConfig& config,
                                         const TimeZone& tz, const WorkingCalendar& calendar) {
  auto reader = StoreReader::open(path);
  if (!reader) return reader.error();
  engine::Engine eng(config, tz, calendar);
  std::map<engine::TicketId, std::string> tickets;
  std::map<int, std::string> windows;
  std::map<engine::CaseId, std::string> cases;
  std::map<std::int64_t, std::string> appointments;
  std::int64_t seq = 0;
  for (;;) {
    auto batch = (*reader)->events_since(seq, 10000);
    if (batch.empty()) break;
    for (const auto& e : batch) {
      if (e.seq != seq + 1) return "event log has a gap before seq " + std::to_string(e.seq);
      seq = e.seq;
      if (auto bad = eng.apply(e)) return "the event log cannot be replayed: " + *bad;
      auto ch = eng.take_changes();
      for (auto& t : ch.tickets) tickets[t.id] = std::move(t.json);
      for (const auto& [id, patch] : ch.ticket_patches) {
        auto it = tickets.find(id);
        if (it == tickets.end()) return "replay rates or links ticket " + std::to_string(id) + " before it exists";
        auto row = patch_ticket_row(it->second, patch);
        if (!row) return "replay built a damaged row for ticket " + std::to_string(id);
        it->second = std::move(*row);
      }
      for (auto& [n, row] : ch.windows) windows[n] = std::move(row);
      for (auto& c : ch.cases) cases[c.id] = std::move(c.json);
      for (auto& a : ch.appointments) appointments[a.id] = std::move(a.json);
    }
  }
  auto stored_appointments = (*reader)->appointment_rows("0000-00-00", "9999-99-99");
  if (stored_appointments.size() != appointments.size())
    return "replay built " + std::to_string(appointments.size()) + " appointments, the projection has " +
           std::to_string(stored_appointments.size());
  for (const auto& [id, row] : stored_appointments)
    if (appointments[id] != row)
      return "appointment " + std::to_string(id) + " differs: replay " + appointments[id] + " vs projection " + row;
  auto stored_cases = (*reader)->all_case_rows();
  if (stored_cases.size() != cases.size())
    return "replay built " + std::to_string(cases.size()) + " cases, the projection has " + std::to_string(stored_cases.size());
  for (const auto& [id, row] : stored_cases)
    if (cases[id] != row) return "case " + std::to_string(id) + " differs: replay " + cases[id] + " vs projection " + row;
  auto stored = (*reader)->all_ticket_rows();
  if (stored.size() != tickets.size())
    return "replay built " + std::to_string(tickets.size()) + " tickets, the projection has " +
           std::to_string(stored.size());
  for (const auto& [id, row] : stored)
    if (tickets[id] != row) return "ticket " + std::to_string(id) + " differs: replay " + tickets[id] + " vs projection " + row;
  auto stored_windows = (*reader)->all_window_rows();
  if (stored_windows.size() != windows.size())
    return "replay built " + std::to_string(windows.size()) + " windows, the projection has " +
           std::to_string(stored_windows.size());
  for (const auto& [n, row] : stored_windows)
    if (windows[n] != row) return "window " + std::to_string(n) + " differs: replay " + windows[n] + " vs projection " + row;
  return std::nullopt;
}

}  // namespace hallq::store
