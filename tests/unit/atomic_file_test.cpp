// R-HALL-8 (a power cut loses nothing): every file the programs replace (the kiosk's journal,
// the month keys, the display's state file, the screens) goes through write_file_atomically,
// which fsyncs the new file, renames it over the old one and fsyncs the folder. These cases
// check what can be checked without pulling the plug: the content and mode of the result, and
// that a failure at any step leaves the old file whole and no temporary file behind. The tests
// run as root, so a read-only folder would not fail; the failures used here do fail for root.
#include "hallq/common/atomic_file.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hallq_catch.hpp"

namespace fs = std::filesystem;
using hallq::IfExists;
using hallq::write_file_atomically;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hallq-atomic-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    return out;
  }
};

// The process's umask, set for one test and put back.
struct Umask {
  mode_t old;
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
};

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a new file gets the bytes and the mode asked for", "[atomic_file]") {
  TempDir d;
  Umask u(022);
  const std::string key = d.path + "/2026-03.key", journal = d.path + "/journal.json";
  REQUIRE_FALSE(write_file_atomically(key, std::string(32, '\x01'), 0600));
  REQUIRE_FALSE(write_file_atomically(journal, "{}\n", 0640));
  CHECK(read(key) == std::string(32, '\x01'));
  CHECK(mode_of(key) == 0600);
  CHECK(read(journal) == "{}\n");
  CHECK(mode_of(journal) == 0640);
  CHECK(d.names().size() == 2);  // no temporary file left
}

TEST_CASE("replacing a file changes its content whole and keeps the mode asked for", "[atomic_file]") {
  TempDir d;
  Umask u(022);
  const std::string path = d.path + "/state";
  REQUIRE_FALSE(write_file_atomically(path, "first, and longer than the second\n", 0640));
  REQUIRE_FALSE(write_file_atomically(path, "second\n", 0640));
  CHECK(read(path) == "second\n");
  CHECK(mode_of(path) == 0640);
  REQUIRE_FALSE(write_file_atomically(path, "", 0640));
  CHECK(read(path).empty());
  CHECK(d.names() == std::vector<std::string>{"state"});
}

TEST_CASE("the umask applies as it does to open(2)", "[atomic_file]") {
  TempDir d;
  Umask u(027);
  const std::string path = d.path + "/window-1.png";
  REQUIRE_FALSE(write_file_atomically(path, "png", 0666));
  CHECK(mode_of(path) == 0640);
}

TEST_CASE("IfExists::keep never replaces a file: EEXIST, the old bytes, no temporary file", "[atomic_file]") {
  TempDir d;
  const std::string key = d.path + "/case.key";
  REQUIRE_FALSE(write_file_atomically(key, "old key", 0600, IfExists::keep));
  auto err = write_file_atomically(key, "new key", 0600, IfExists::keep);
  REQUIRE(err);
  CHECK(err->code == EEXIST);
  CHECK_THAT(err->message, HasSubstr(key));
  CHECK(read(key) == "old key");
  CHECK(d.names() == std::vector<std::string>{"case.key"});
}

TEST_CASE("a folder that does not exist, or is a file: a clear error and nothing written", "[atomic_file]") {
  TempDir d;
  const std::string missing = d.path + "/no-such-folder/journal.json";
  auto err = write_file_atomically(missing, "x", 0640);
  REQUIRE(err);
  CHECK(err->code == ENOENT);
  CHECK_THAT(err->message, HasSubstr(missing));
  CHECK_THAT(err->message, HasSubstr(std::strerror(ENOENT)));

  REQUIRE_FALSE(write_file_atomically(d.path + "/plain", "a file", 0640));
  err = write_file_atomically(d.path + "/plain/journal.json", "x", 0640);
  REQUIRE(err);
  CHECK(err->code == ENOTDIR);
  CHECK(read(d.path + "/plain") == "a file");
  CHECK(d.names() == std::vector<std::string>{"plain"});
}

TEST_CASE("a write that fails part-way leaves the old file whole and no temporary file", "[atomic_file]") {
  TempDir d;
  const std::string path = d.path + "/journal.json";
  const std::string old_bytes = "{\"version\":1,\"pending\":[]}\n";
  REQUIRE_FALSE(write_file_atomically(path, old_bytes, 0640));
  // A file-size limit fails the write with EFBIG, for root as for anyone (a full disk fails
  // the same step with ENOSPC). SIGXFSZ is ignored as the daemons ignore it.
  rlimit old_limit{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 16;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto err = write_file_atomically(path, std::string(4096, 'x'), 0640);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE(err);
  CHECK(err->code == EFBIG);
  CHECK_THAT(err->message, HasSubstr(path));
  CHECK_THAT(err->message, HasSubstr("write"));
  CHECK(read(path) == old_bytes);
  CHECK(d.names() == std::vector<std::string>{"journal.json"});
}

TEST_CASE("a target that cannot be renamed over (a folder) stays, and no temporary file is left", "[atomic_file]") {
  TempDir d;
  const std::string path = d.path + "/hall.png";
  fs::create_directory(path);
  REQUIRE_FALSE(write_file_atomically(path + "/inside", "kept", 0640));
  auto err = write_file_atomically(path, "png", 0640);
  REQUIRE(err);
  CHECK(err->code == EISDIR);
  CHECK_THAT(err->message, HasSubstr("rename"));
  CHECK(fs::is_directory(path));
  CHECK(read(path + "/inside") == "kept");
  CHECK(d.names() == std::vector<std::string>{"hall.png"});
}

TEST_CASE("a bare file name is written in the current folder", "[atomic_file]") {
  TempDir d;
  const auto here = fs::current_path();
  fs::current_path(d.path);
  auto err = write_file_atomically("bare.txt", "bare\n", 0644);
  fs::current_path(here);
  REQUIRE_FALSE(err);
  CHECK(read(d.path + "/bare.txt") == "bare\n");
}
