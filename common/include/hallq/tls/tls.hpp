#pragma once
// Optional TLS on the hall LAN (docs/security.md "TLS on the LAN"): the controller serves HTTPS and WSS
// with a certificate and key from its config; kiosks and display nodes check the controller's
// public key against a pin from their own config instead of a certificate authority (a hall
// has none, and its controller is reached by a LAN address).
//
// A pin is "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)): the format of curl's
// --pinnedpubkey, so an installer can check a pin with curl. Pinning the key, not the
// certificate, lets the certificate be renewed with the same key without touching devices.
//
// Uses OpenSSL through Boost.Asio's ssl; links hallq_tls (which compiles Asio's SSL part).
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::tls {

namespace ssl = boost::asio::ssl;

// True for "sha256//" followed by 44 base64 characters (a 32-byte digest).
bool is_pin(std::string_view s);

// "sha256//A,sha256//B" (one pin, or several while a key is being replaced) into the pins;
// an error names the one that is not a pin.
Expected<std::vector<std::string>, std::string> parse_pins(std::string_view list);

// The pin of the first certificate in a PEM file; an error says why there is none.
Expected<std::string, std::string> pin_of_cert_file(const std::string& pem_path);

// The controller's side: TLS 1.2 or later, the certificate chain and private key from PEM
// files, checked to belong together. An error names the file and OpenSSL's reason.
Expected<std::shared_ptr<ssl::context>, std::string> server_context(const std::string& cert_path,
                                                                   const std::string& key_path);

// A device's side: TLS 1.2 or later, no certificate-authority check (check_pin does the
// checking once the handshake is done).
std::shared_ptr<ssl::context> client_context();

// After a client handshake on `native` (an SSL*): "" when the peer's public key matches one
// of the pins, else what did not match (shown in the device's log).
std::string check_pin(void* native, const std::vector<std::string>& pins);

// Sets SNI on a client connection when `host` is a name (not an IP address literal).
void set_server_name(void* native, const std::string& host);

}  // namespace hallq::tls
