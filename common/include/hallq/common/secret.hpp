#pragma once
// Secrets: clerk PINs and passwords are stored as argon2id strings (slow hash, low entropy
// input); device and session tokens as BLAKE2b digests (fast hash, high entropy input).
// Thread-safety: all functions are safe to call from any thread after init_secrets().
#include <string>
#include <string_view>

namespace hallq {

bool init_secrets();  // libsodium init; false if it failed
// argon2id, OWASP option t=5, m=7 MiB. Empty string on failure (out of memory).
std::string hash_secret(std::string_view secret);
bool verify_secret(const std::string& hash, std::string_view secret);
// "blake2b:<64 hex>" of a token.
std::string token_digest(std::string_view token);
// A fresh random token: 32 bytes, URL-safe base64 without padding.
std::string random_token();
// The public credentials of the example hall (deploy/examples/hall.toml): the device tokens
// "demo-<id>" and the PINs/passwords 123456 and admin123456. A hall that is not a demo
// ([centre] demo = false) refuses them: its config may not carry the tokens' digests, and a
// sign-in with such a PIN is refused even where the hash matches.
bool is_demo_secret(std::string_view pin_or_password);
bool is_demo_token_digest(std::string_view digest, std::string_view device_id);
// Constant-time equality for digests.
bool digest_equal(std::string_view a, std::string_view b);

}  // namespace hallq
