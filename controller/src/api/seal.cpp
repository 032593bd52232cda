#include "seal.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace hallq::api {

Expected<std::unique_ptr<Sealer>, std::string> Sealer::open(const std::string& path) {
  if (sodium_init() < 0) return unexpected(std::string("libsodium cannot start"));
  std::array<unsigned char, kKeyBytes> key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    // First start: a new key, written whole before it is used (O_EXCL: never overwrite one).
    randombytes_buf(key.data(), key.size());
    const std::string tmp = path + ".new";
    int w = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w < 0) return unexpected(tmp + ": cannot create the case key: " + std::strerror(errno));
    const bool ok = ::write(w, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(w) == 0;
    ::close(w);
    if (!ok || ::link(tmp.c_str(), path.c_str()) != 0) {
      const std::string e = std::strerror(errno);
      ::unlink(tmp.c_str());
      return unexpected(path + ": cannot write the case key: " + e);
    }
    ::unlink(tmp.c_str());
    return std::make_unique<Sealer>(key);
  }
  if (fd < 0) return unexpected(path + ": cannot read the case key: " + std::strerror(errno));
  struct stat st {};
  const bool read_ok = ::fstat(fd, &st) == 0 && st.st_size == static_cast<off_t>(key.size()) &&
                       ::read(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(fd);
  if (!read_ok)
    return unexpected(path + ": the case key must be exactly 32 bytes; restore it from the backup taken with the database");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return unexpected(path + ": the case key is readable by others (mode " + mode + "); chmod 600 it");
  }
  return std::make_unique<Sealer>(key);
}

std::string Sealer::seal(std::string_view clear) const {
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + clear.size());
  randombytes_buf(buf.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(clear.data()),
                        clear.size(), buf.data(), key_.data());
  std::string b64(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return "s1:" + b64;
}

std::optional<std::string> Sealer::open_text(std::string_view sealed) const {
  if (sealed.substr(0, 3) != "s1:") return std::nullopt;
  sealed.remove_prefix(3);
  std::vector<unsigned char> buf(sealed.size());
  size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), sealed.data(), sealed.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return std::nullopt;
  std::string out(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), buf.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, buf.data(), key_.data()) != 0)
    return std::nullopt;
  return out;
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

engine::Sealed seal_field(const Sealer& s, Personal kind, const std::string& clear) {
  if (clear.empty()) return {};
  std::string masked = kind == Personal::Name ? mask_name(clear)
                       : kind == Personal::Phone ? engine::mask_phone(clear)
                                                 : mask_id_number(clear);
  return engine::Sealed{std::move(masked), s.seal(clear)};
}

}  // namespace hallq::api
