#include "seal.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "hallq/common/atomic_file.hpp"

namespace hallq::api {

namespace {

bool month_shaped(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (size_t i = 0; i < 7; ++i)
    if (i != 4 && (m[i] < '0' || m[i] > '9')) return false;
  return m.substr(5) >= "01" && m.substr(5) <= "12";
}

void fsync_dir(const std::string& dir) {
  int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

// Writes a new key (mode 0600) whole and durably before it can be used, never over an existing
// one: the error's code is EEXIST when another writer got there first.
std::optional<FileError> write_key(const std::string& path, const unsigned char* key, size_t n) {
  return write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(key), n), 0600, IfExists::keep);
}

// Reads a 32-byte key of mode 0600; the error names the file and what to do.
Expected<std::array<unsigned char, Sealer::kKeyBytes>, std::string> read_key(const std::string& path, const char* what) {
  std::array<unsigned char, Sealer::kKeyBytes> key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unexpected(path + ": cannot read the " + what + ": " + std::strerror(errno));
  struct stat st {};
  const bool read_ok = ::fstat(fd, &st) == 0 && st.st_size == static_cast<off_t>(key.size()) &&
                       ::read(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(fd);
  if (!read_ok)
    return unexpected(path + ": the " + what + " must be exactly 32 bytes; restore it from the backup taken with the database");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return unexpected(path + ": the " + what + " is readable by others (mode " + mode + "); chmod 600 it");
  }
  return key;
}

std::string box(std::string_view clear, const unsigned char* key) {
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + clear.size());
  randombytes_buf(buf.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(clear.data()),
                        clear.size(), buf.data(), key);
  std::string b64(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return b64;
}

std::optional<std::string> unbox(std::string_view b64, const unsigned char* key) {
  std::vector<unsigned char> buf(b64.size());
  size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return std::nullopt;
  std::string out(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), buf.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, buf.data(), key) != 0)
    return std::nullopt;
  return out;
}

}  // namespace

Expected<std::unique_ptr<Sealer>, std::string> Sealer::open(const std::string& path, const std::string& month_dir) {
  if (sodium_init() < 0) return unexpected(std::string("libsodium cannot start"));
  if (::mkdir(month_dir.c_str(), 0700) != 0 && errno != EEXIST)
    return unexpected(month_dir + ": cannot make the folder of month keys: " + std::strerror(errno));
  struct stat dst {};
  if (::stat(month_dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode))
    return unexpected(month_dir + ": the folder of month keys is not a folder");
  std::array<unsigned char, kKeyBytes> key{};
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    // First start: a new key.
    randombytes_buf(key.data(), key.size());
    if (auto err = write_key(path, key.data(), key.size()))
      return unexpected("cannot write the case key: " + err->message);
    return std::make_unique<Sealer>(key, month_dir);
  }
  auto k = read_key(path, "case key");
  if (!k) return unexpected(k.error());
  return std::make_unique<Sealer>(*k, month_dir);
}

std::optional<Sealer::Key> Sealer::month_key(std::string_view month, bool create, std::string* error) const {
  if (auto it = months_.find(month); it != months_.end()) return it->second;
  const std::string path = month_dir_ + "/" + std::string(month) + ".key";
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    if (!create) return std::nullopt;  // purged
    Key key{};
    randombytes_buf(key.data(), key.size());
    auto err = write_key(path, key.data(), key.size());
    if (!err) {
      months_.emplace(std::string(month), key);
      return key;
    }
    if (err->code != EEXIST) {
      if (error) *error = "cannot write the month key: " + err->message;
      return std::nullopt;
    }
  }
  auto k = read_key(path, "month key");
  if (!k) {
    if (error) *error = k.error();
    return std::nullopt;
  }
  months_.emplace(std::string(month), *k);
  return *k;
}

Expected<std::string, std::string> Sealer::seal(std::string_view clear, std::string_view month) const {
  if (!month_shaped(month)) return unexpected("not a month: " + std::string(month));
  std::lock_guard lock(mu_);
  std::string error;
  auto key = month_key(month, true, &error);
  if (!key) return unexpected(error);
  return "s2:" + std::string(month) + ":" + box(clear, key->data());
}

std::string Sealer::month_of(std::string_view sealed) {
  if (sealed.substr(0, 3) != "s2:" || sealed.size() < 11 || sealed[10] != ':') return {};
  return std::string(sealed.substr(3, 7));
}

std::optional<std::string> Sealer::open_text(std::string_view sealed) const {
  if (sealed.substr(0, 3) == "s1:") return unbox(sealed.substr(3), key_.data());
  const std::string month = month_of(sealed);
  if (!month_shaped(month)) return std::nullopt;
  std::lock_guard lock(mu_);
  auto key = month_key(month, false, nullptr);
  if (!key) return std::nullopt;
  return unbox(sealed.substr(11), key->data());
}

std::vector<std::string> Sealer::months_before(std::string_view end) const {
  // Probed month by month rather than listed with readdir(): 32-bit userlands on a 64-bit
  // kernel (armhf on a Pi 4, or under qemu) get EOVERFLOW from getdents on ext4.
  std::vector<std::string> out;
  for (int y = kFirstYear; y <= 9999; ++y)
    for (int m = 1; m <= 12; ++m) {
      char name[8];
      std::snprintf(name, sizeof name, "%04d-%02d", y, m);
      if (std::string_view(name) >= end) return out;
      if (::access((month_dir_ + "/" + name + ".key").c_str(), F_OK) == 0) out.emplace_back(name);
    }
  return out;
}

Expected<std::vector<std::string>, std::string> Sealer::purge(std::string_view first_kept,
                                                               const std::vector<std::string>& keep) const {
  std::vector<std::string> done;
  std::lock_guard lock(mu_);
  for (const std::string& m : months_before(first_kept)) {
    if (std::find(keep.begin(), keep.end(), m) != keep.end()) continue;
    const std::string path = month_dir_ + "/" + m + ".key";
    // Overwrite before unlinking, so the bytes do not linger in the freed block (best effort:
    // a flash card's wear levelling may keep an old copy; docs/security.md says so).
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      unsigned char zero[kKeyBytes] = {};
      const bool ok = ::pwrite(fd, zero, sizeof zero, 0) == static_cast<ssize_t>(sizeof zero) && ::fsync(fd) == 0;
      ::close(fd);
      if (!ok) return unexpected(path + ": cannot overwrite the month key: " + std::strerror(errno));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return unexpected(path + ": cannot delete the month key: " + std::strerror(errno));
    if (auto it = months_.find(m); it != months_.end()) {
      sodium_memzero(it->second.data(), it->second.size());
      months_.erase(it);
    }
    done.push_back(m);
  }
  if (!done.empty()) fsync_dir(month_dir_);
  return done;
}

std::string Sealer::ticket_key(std::int64_t ticket) const {
  // A keyed BLAKE2b of a fixed purpose and the id, cut to 64 bits: unguessable without the key,
  // short enough for the ticket's QR. Derived, not stored: nothing more to back up or lose.
  const std::string msg = "hallq ticket rating " + std::to_string(ticket);
  unsigned char mac[8];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), key_.data(),
                     key_.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : mac) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool Sealer::ticket_key_ok(std::int64_t ticket, std::string_view key) const {
  const std::string want = ticket_key(ticket);
  return key.size() == want.size() && sodium_memcmp(key.data(), want.data(), want.size()) == 0;
}

std::string mask_name(std::string_view s) {
  // Keep the first UTF-8 character (the family name, mostly), one '*' for each further one.
  if (s.empty()) return {};
  size_t first = 1;
  while (first < s.size() && (static_cast<unsigned char>(s[first]) & 0xC0) == 0x80) ++first;
  // A name of one character would show whole: hide it (issue 26).
  if (first == s.size()) return "*";
  std::string out(s.substr(0, first));
  for (size_t i = first; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out += '*';
  return out;
}

std::string mask_id_number(std::string_view id) {
  if (id.size() <= 4) return std::string(id.size(), '*');
  const size_t head = id.size() >= 15 ? 4 : 0;
  return std::string(id.substr(0, head)) + std::string(id.size() - head - 4, '*') + std::string(id.substr(id.size() - 4));
}

Expected<engine::Sealed, std::string> seal_field(const Sealer& s, Personal kind, const std::string& clear,
                                                 std::string_view month) {
  if (clear.empty()) return engine::Sealed{};
  std::string masked = kind == Personal::Name ? mask_name(clear)
                       : kind == Personal::Phone ? engine::mask_phone(clear)
                                                 : mask_id_number(clear);
  auto sealed = s.seal(clear, month);
  if (!sealed) return unexpected(sealed.error());
  return engine::Sealed{std::move(masked), std::move(*sealed)};
}

}  // namespace hallq::api
