#include "hallq/tls/tls.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace hallq::tls {
namespace {

constexpr std::string_view kPrefix = "sha256//";

// OpenSSL's reason for the last failure on this thread (and the queue cleared).
std::string openssl_reason() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

std::string pin_of(X509* cert) {
  X509_PUBKEY* pk = X509_get_X509_PUBKEY(cert);
  if (!pk) return {};
  int len = i2d_X509_PUBKEY(pk, nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509_PUBKEY(pk, &p) != len) return {};
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), digest.data());
  std::array<unsigned char, 4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1> b64{};
  int n = EVP_EncodeBlock(b64.data(), digest.data(), static_cast<int>(digest.size()));
  return std::string(kPrefix) + std::string(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
}

}  // namespace

bool is_pin(std::string_view s) {
  if (s.size() != kPrefix.size() + 44 || s.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view b = s.substr(kPrefix.size());
  // 32 bytes encode as 43 base64 digits and one '=' of padding.
  auto digit = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'; };
  return std::all_of(b.begin(), b.begin() + 43, digit) && b[43] == '=';
}

Expected<std::vector<std::string>, std::string> parse_pins(std::string_view list) {
  std::vector<std::string> pins;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = list.find(',', start);
    std::string_view one = list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (!is_pin(one))
      return unexpected("'" + std::string(one) +
                        "' is not a key pin: expected sha256// and 44 base64 characters "
                        "(hallq-controller --tls-pin prints it)");
    pins.emplace_back(one);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return pins;
}

Expected<std::string, std::string> pin_of_cert_file(const std::string& pem_path) {
  ERR_clear_error();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem_path.c_str(), "r"), &BIO_free);
  if (!bio) return unexpected(pem_path + ": cannot open: " + openssl_reason());
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return unexpected(pem_path + ": no PEM certificate: " + openssl_reason());
  std::string pin = pin_of(cert.get());
  if (pin.empty()) return unexpected(pem_path + ": the certificate's public key cannot be read");
  return pin;
}

Expected<std::shared_ptr<ssl::context>, std::string> server_context(const std::string& cert_path,
                                                                   const std::string& key_path) {
  ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_path, ec);
  if (ec) return unexpected(cert_path + ": not a usable PEM certificate chain: " + ec.message());
  ERR_clear_error();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(key_path.c_str(), "r"), &BIO_free);
  if (!bio) return unexpected(key_path + ": not a usable PEM private key: cannot open: " + openssl_reason());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                          &EVP_PKEY_free);
  if (!key) return unexpected(key_path + ": not a usable PEM private key (an unencrypted PEM key is needed): " + openssl_reason());
  X509* cert = SSL_CTX_get0_certificate(ctx->native_handle());
  if (!cert || X509_check_private_key(cert, key.get()) != 1) {
    ERR_clear_error();
    return unexpected(key_path + ": this key does not belong to the certificate in " + cert_path);
  }
  if (SSL_CTX_use_PrivateKey(ctx->native_handle(), key.get()) != 1)
    return unexpected(key_path + ": not a usable private key: " + openssl_reason());
  return ctx;
}

std::shared_ptr<ssl::context> client_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  // The chain is not checked against authorities: a hall's controller has a self-signed
  // certificate. check_pin decides, before any request is written.
  ctx->set_verify_mode(ssl::verify_none);
  return ctx;
}

std::string check_pin(void* native, const std::vector<std::string>& pins) {
  auto* s = static_cast<SSL*>(native);
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(s), &X509_free);
  if (!cert) return "the controller sent no certificate";
  std::string pin = pin_of(cert.get());
  if (pin.empty()) return "the controller's public key cannot be read";
  if (std::find(pins.begin(), pins.end(), pin) != pins.end()) return {};
  return "the controller's key " + pin + " matches no controller_pin (a different controller, or its key changed)";
}

void set_server_name(void* native, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) return;  // SNI carries names only
  // SSL_set_tlsext_host_name, without the macro's C cast.
  SSL_ctrl(static_cast<SSL*>(native), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host.c_str()));
}

}  // namespace hallq::tls
