#include "hallq/common/secret.hpp"

#include <sodium.h>

#include <array>

namespace hallq {

bool init_secrets() { return sodium_init() >= 0; }

std::string hash_secret(std::string_view secret) {
  // OWASP's argon2id option m=7 MiB, t=5 (equivalent to its m=19 MiB, t=2). Every sign-in
  // verifies with these costs, and the controller's memory budget (20 MB peak, measured:
  // 19 MiB lifted the peak to 27.9 MB) rules out more memory per hash.
  constexpr unsigned long long ops = 5;
  constexpr size_t mem = 7u * 1024u * 1024u;
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), secret.data(), secret.size(), ops, mem) != 0) return {};
  return std::string(out.data());
}

bool verify_secret(const std::string& hash, std::string_view secret) {
  if (hash.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
}

std::string token_digest(std::string_view token) {
  std::array<unsigned char, 32> h{};
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
  return "blake2b:" + std::string(hex.data());
}

std::string random_token() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> b{};
  sodium_bin2base64(b.data(), b.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(b.data());
}

bool digest_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_demo_secret(std::string_view pin_or_password) {
  return pin_or_password == "123456" || pin_or_password == "admin123456";
}

bool is_demo_token_digest(std::string_view digest, std::string_view device_id) {
  for (std::string_view t : {std::string_view("demo-kiosk-1"), std::string_view("demo-kiosk-2"),
                             std::string_view("demo-display-1")})
    if (digest_equal(digest, token_digest(t))) return true;
  return digest_equal(digest, token_digest("demo-" + std::string(device_id)));
}

}  // namespace hallq
