#pragma once
// Small RAII helpers over the SQLite C API: a connection, prepared statements kept for the
// connection's life, and a transaction that rolls back unless committed (SQLiteCpp style).
// Thread-safety: one thread per Db.
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace hallq::store {

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }

  Stmt& reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& bind(int i, int v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(s_); }
  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  // The column's text, valid until the next step (no copy).
  std::string_view view(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
  }
  std::string text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

// A cached statement borrowed for one use. It is reset when the borrow ends, so no statement
// is left part-way through its rows: such a statement keeps the connection's read snapshot
// open, which hides later commits from a reader and stops checkpoints from recycling the WAL.
// Empty when the statement could not be prepared (a damaged file, for one).
class StmtUse {
 public:
  explicit StmtUse(Stmt* s) : s_(s) {}
  ~StmtUse() {
    if (s_) s_->reset();
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  explicit operator bool() const { return s_ != nullptr; }
  Stmt* operator->() const { return s_; }
  Stmt& operator*() const { return *s_; }

 private:
  Stmt* s_;
};

class Db {
 public:
  // flags: SQLITE_OPEN_* ; error text in *error when it returns null.
  static std::unique_ptr<Db> open(const std::string& path, int flags, std::string* error);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }
  // Runs SQL without results; returns the SQLite code.
  int exec(const char* sql);
  // A prepared statement cached by its SQL text, reset and ready to bind; empty if SQLite
  // cannot prepare it (errmsg() says why: usually a damaged or foreign file).
  StmtUse stmt(const char* sql);
  std::string errmsg() const;
  int64_t pragma_int(const char* name);

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> stmts_;
};

class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) { ok_ = db_.exec("BEGIN IMMEDIATE") == SQLITE_OK; }
  ~Transaction() {
    if (ok_ && !done_) db_.exec("ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  bool begun() const { return ok_; }
  int commit() {
    int rc = db_.exec("COMMIT");
    if (rc == SQLITE_OK) done_ = true;
    return rc;
  }

 private:
  Db& db_;
  bool ok_ = false;
  bool done_ = false;
};

}  // namespace hallq::store
