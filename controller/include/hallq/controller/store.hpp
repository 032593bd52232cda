#pragma once
// The controller's SQLite store: an append-only event log plus projections (tickets, windows,
// engine state, sessions). WAL with synchronous=FULL: a hall runs on SD cards and loses power
// (R-HALL-8). A command's events and projection rows commit in one transaction before anyone
// is told; commands that arrive together share one transaction (group commit).
// A database from a newer schema, a foreign or corrupt file is refused with a clear message
// and left untouched.
// Thread-safety: a Store is used by one thread at a time (the commit thread after start-up);
// a StoreReader is a separate read-only connection for one other thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hallq/common/expected.hpp"
#include "hallq/controller/engine.hpp"

struct sqlite3;

namespace hallq::store {

inline constexpr int kSchemaVersion = 5;

struct SessionRow {
  std::string digest;  // token_digest of the bearer token
  std::string role;    // "clerk", "manager", "admin"
  std::string user;    // clerk id
  int window = 0;      // clerk sessions: the window signed in at
  std::int64_t expires_ms = 0;
};

// Everything one command writes.
struct CommitItem {
  std::vector<engine::Event> events;
  engine::Changes changes;
  std::vector<SessionRow> sessions_put;
  std::vector<std::string> sessions_del;  // digests
};

struct Loaded {
  std::string meta;  // empty on a new database
  std::vector<std::string> tickets;
  std::vector<std::string> windows;
  std::vector<std::string> cases;  // live cases and those registered on the meta's day
  std::vector<std::string> appointments;  // requests, bookings to come, and the meta's day's
  std::vector<SessionRow> sessions;
  std::int64_t last_seq = 0;
};

class Db;            // RAII connection, private
class Checkpointer;  // background WAL checkpoints, private

class Store {
 public:
  // Opens or creates `path`. Errors name the file and the cause.
  static Expected<std::unique_ptr<Store>, std::string> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The rows the engine restores from: live tickets plus all of the meta's day and of the
  // `rated_days` before it (finished services still open to a rating, R-EVAL-1:
  // engine::rating_days_kept).
  Expected<Loaded, std::string> load(int rated_days = 0);
  // Commits the items in one transaction. On error nothing of them is written.
  std::optional<std::string> commit(const std::vector<const CommitItem*>& items);

  // Test hook, not for production code: caps the file at `pages` pages on this connection
  // (PRAGMA max_page_count; SQLite raises a cap below the current size to the current size),
  // so a test can make commits fail with SQLITE_FULL as on a full disk. Returns the cap now in
  // effect, or -1 on error.
  std::int64_t set_max_pages_for_test(std::int64_t pages);

 private:
  explicit Store(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
  // Copies the WAL back into the database on its own connection and thread, so a commit
  // never waits for a checkpoint (with a large database one takes hundreds of ms).
  std::unique_ptr<Checkpointer> checkpointer_;
};

class StoreReader {
 public:
  static Expected<std::unique_ptr<StoreReader>, std::string> open(const std::string& path);
  ~StoreReader();
  // The same rows Store::load reads (to rebuild the engine after a failed commit).
  Expected<Loaded, std::string> load(int rated_days = 0);
  // Events with seq > since, at most `limit`, in order.
  std::vector<engine::Event> events_since(std::int64_t since, int limit);
  // Events at one window with after < seq < before, at most `limit`, in order (hand-over log).
  std::vector<engine::Event> window_events(int window, std::int64_t after, std::int64_t before, int limit);
  // The first seq whose event happened at or after t (last seq + 1 if none).
  std::int64_t first_seq_at(TimePoint t);
  // Events of these types with from <= at < to, in order (reports: a month of the log).
  std::vector<engine::Event> events_between(TimePoint from, TimePoint to, const std::vector<std::string>& types);
  // Ticket / case rows of issue / registration days from..to (YYYY-MM-DD), one at a time
  // (reports over a year of history: nothing is held), by day and then id: the day index's
  // own order, so SQLite never sorts a year of rows in a temporary file.
  void for_each_ticket_row(const std::string& from_day, const std::string& to_day,
                           const std::function<void(std::string_view)>& fn);
  void for_each_case_row(const std::string& from_day, const std::string& to_day,
                         const std::function<void(std::string_view)>& fn);
  // The type, time, window and data text of each event of these types with from <= at < to,
  // in order, one at a time (a year of ratings for the statistics).
  void for_each_event_data(TimePoint from, TimePoint to, const std::vector<std::string>& types,
                           const std::function<void(std::string_view, TimePoint, int, std::string_view)>& fn);
  // Every event of these types a manager made, in order (few: answers, findings, score items).
  std::vector<engine::Event> manager_events(const std::vector<std::string>& types);
  std::optional<std::string> ticket_row(engine::TicketId id);
  // The ticket numbered `number` on business day `day` (YYYY-MM-DD), if any.
  std::optional<engine::TicketId> ticket_by_number(const std::string& day, const std::string& number);
  // Every ticket row (replay checks and tests; not for the hot path).
  std::vector<std::pair<engine::TicketId, std::string>> all_ticket_rows();
  std::vector<std::pair<int, std::string>> all_window_rows();
  std::vector<std::pair<engine::CaseId, std::string>> all_case_rows();
  std::optional<std::string> case_row(engine::CaseId id);
  // Appointment rows filed under days from..to (YYYY-MM-DD, inclusive), by day and id.
  std::vector<std::pair<std::int64_t, std::string>> appointment_rows(const std::string& from, const std::string& to);
  // Case rows registered from `from` to `to` (YYYY-MM-DD, inclusive), newest first, at most
  // `limit`; window 0 / clerk "" match any.
  std::vector<std::string> case_rows(const std::string& from, const std::string& to, int window,
                                     const std::string& clerk, int limit);

 private:
  explicit StoreReader(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
};

// Replays the whole event log into a fresh engine and compares every ticket and window it
// builds with the projections. Returns the first difference, or nullopt when they agree.
std::optional<std::string> verify_replay(const std::string& path, const HallConfig& config,
                                         const TimeZone& tz, const WorkingCalendar& calendar);

}  // namespace hallq::store
