#pragma once
// SMS-SUBMIT PDUs for a GSM modem in PDU mode (AT+CMGF=0), as 3GPP TS 23.040 defines them, with
// the text in UCS-2 (TS 23.038 data coding 0x08) so Chinese goes through. A text longer than
// one message (70 UTF-16 units) is split into concatenated parts of 67 units, each with an
// 8-bit-reference user data header (IEI 0x00); a surrogate pair is never split.
// Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/expected.hpp"

namespace hallq::sms {

struct Address {
  std::string digits;  // without '+'
  bool international = false;
};
// "+8613812345678", "008613812345678" or a Chinese mobile "13812345678" (sent as +86...):
// international; other digit strings (a landline "07013780100"): as dialled. Spaces and '-'
// are ignored. nullopt when it is not a phone number (3 to 20 digits).
std::optional<Address> parse_number(std::string_view phone);

// UTF-8 <-> UTF-16 code units; nullopt on malformed UTF-8.
std::optional<std::u16string> utf8_to_utf16(std::string_view s);
std::string utf16_to_utf8(std::u16string_view s);

struct SubmitPdu {
  std::string hex;        // upper-case hex: "00" (the SIM's service centre) then the TPDU
  int tpdu_octets = 0;    // the length AT+CMGS=<n> announces (the TPDU without the SMSC part)
};

constexpr int kMaxParts = 8;
// The PDUs of one message to `phone`; `ref` tells the parts of one message apart at the phone.
Expected<std::vector<SubmitPdu>, std::string> encode_submit(std::string_view phone, std::string_view text,
                                                            std::uint8_t ref);

// The other way (the modem simulator, tests): one PDU as encode_submit makes them.
struct DecodedSubmit {
  Address to;
  std::string text;  // this part's text
  int ref = 0, part = 1, parts = 1;
  int tpdu_octets = 0;
};
Expected<DecodedSubmit, std::string> decode_submit(std::string_view hex);

}  // namespace hallq::sms
