#include "hallq/sms/pdu.hpp"

#include <algorithm>

namespace hallq::sms {
namespace {

constexpr std::uint8_t kSubmitVpRelative = 0x11;  // TP-MTI 01 (SUBMIT), TP-VPF 10 (relative)
constexpr std::uint8_t kUdhi = 0x40;              // TP-UDHI: user data starts with a header
constexpr std::uint8_t kTonInternational = 0x91;  // type of address: international, ISDN plan
constexpr std::uint8_t kTonUnknown = 0x81;        // unknown (as dialled), ISDN plan
constexpr std::uint8_t kDcsUcs2 = 0x08;
constexpr std::uint8_t kValidity1Day = 0xA7;      // 167: (167 - 166) days
constexpr int kSingleUnits = 70;                  // 140 octets of UCS-2
constexpr int kPartUnits = 67;                    // 134 octets after a 6-octet header

void put(std::string& hex, std::uint8_t b) {
  static const char* d = "0123456789ABCDEF";
  hex += d[b >> 4];
  hex += d[b & 15];
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<Address> parse_number(std::string_view phone) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (c == ' ' || c == '-') continue;
    if (c == '+' && digits.empty() && !plus) {
      plus = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    digits += c;
  }
  if (digits.size() < 3 || digits.size() > 20) return std::nullopt;
  if (plus) return Address{digits, true};
  if (digits.size() > 2 && digits.starts_with("00")) return Address{digits.substr(2), true};
  // A Chinese mobile number: 11 digits starting with 1.
  if (digits.size() == 11 && digits[0] == '1') return Address{"86" + digits, true};
  return Address{digits, false};
}

std::optional<std::u16string> utf8_to_utf16(std::string_view s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    size_t n = 0;
    if (b < 0x80) cp = b, n = 1;
    else if ((b & 0xE0) == 0xC0) cp = b & 0x1F, n = 2;
    else if ((b & 0xF0) == 0xE0) cp = b & 0x0F, n = 3;
    else if ((b & 0xF8) == 0xF0) cp = b & 0x07, n = 4;
    else return std::nullopt;
    if (i + n > s.size()) return std::nullopt;
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return std::nullopt;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
    i += n;
  }
  return out;
}

std::string utf16_to_utf8(std::u16string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;  // a lone surrogate
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

Expected<std::vector<SubmitPdu>, std::string> encode_submit(std::string_view phone, std::string_view text,
                                                            std::uint8_t ref) {
  auto to = parse_number(phone);
  if (!to) return unexpected(std::string("not a phone number: ") + std::string(phone));
  auto units = utf8_to_utf16(text);
  if (!units) return unexpected(std::string("the text is not UTF-8"));
  if (units->empty()) return unexpected(std::string("the text is empty"));
  // Split into parts, never between the two halves of a surrogate pair.
  std::vector<std::u16string_view> parts;
  const std::u16string_view all(*units);
  if (static_cast<int>(all.size()) <= kSingleUnits) {
    parts.push_back(all);
  } else {
    size_t at = 0;
    while (at < all.size()) {
      size_t n = std::min<size_t>(kPartUnits, all.size() - at);
      if (at + n < all.size() && all[at + n - 1] >= 0xD800 && all[at + n - 1] <= 0xDBFF) --n;
      parts.push_back(all.substr(at, n));
      at += n;
    }
  }
  if (static_cast<int>(parts.size()) > kMaxParts)
    return unexpected("the text needs " + std::to_string(parts.size()) + " messages; at most " +
                      std::to_string(kMaxParts) + " are sent");
  std::vector<SubmitPdu> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool multi = parts.size() > 1;
    std::string tpdu;
    put(tpdu, static_cast<std::uint8_t>(kSubmitVpRelative | (multi ? kUdhi : 0)));
    put(tpdu, 0x00);  // TP-MR: the modem assigns it
    put(tpdu, static_cast<std::uint8_t>(to->digits.size()));
    put(tpdu, to->international ? kTonInternational : kTonUnknown);
    // Semi-octets, low nibble first, padded with F.
    for (size_t k = 0; k < to->digits.size(); k += 2) {
      const int lo = to->digits[k] - '0';
      const int hi = k + 1 < to->digits.size() ? to->digits[k + 1] - '0' : 0xF;
      put(tpdu, static_cast<std::uint8_t>((hi << 4) | lo));
    }
    put(tpdu, 0x00);  // TP-PID
    put(tpdu, kDcsUcs2);
    put(tpdu, kValidity1Day);
    const int udh = multi ? 6 : 0;
    put(tpdu, static_cast<std::uint8_t>(udh + 2 * parts[i].size()));
    if (multi) {
      for (std::uint8_t b : {std::uint8_t{0x05}, std::uint8_t{0x00}, std::uint8_t{0x03}, ref,
                             static_cast<std::uint8_t>(parts.size()), static_cast<std::uint8_t>(i + 1)})
        put(tpdu, b);
    }
    for (char16_t u : parts[i]) {
      put(tpdu, static_cast<std::uint8_t>(u >> 8));
      put(tpdu, static_cast<std::uint8_t>(u & 0xFF));
    }
    out.push_back(SubmitPdu{"00" + tpdu, static_cast<int>(tpdu.size() / 2)});
  }
  return out;
}

Expected<DecodedSubmit, std::string> decode_submit(std::string_view hex) {
  std::vector<std::uint8_t> b;
  if (hex.size() % 2) return unexpected(std::string("odd number of hex digits"));
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
    if (hi < 0 || lo < 0) return unexpected(std::string("not hex"));
    b.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  size_t p = 0;
  auto need = [&](size_t n) { return p + n <= b.size(); };
  if (!need(1) || !need(1 + b[0])) return unexpected(std::string("truncated service centre"));
  p += 1 + b[0];
  const size_t tpdu_start = p;
  if (!need(4)) return unexpected(std::string("truncated header"));
  const std::uint8_t first = b[p++];
  if ((first & 0x03) != 0x01) return unexpected(std::string("not an SMS-SUBMIT"));
  ++p;  // TP-MR
  const int ndigits = b[p++];
  const std::uint8_t ton = b[p++];
  const size_t addr_octets = static_cast<size_t>((ndigits + 1) / 2);
  if (ndigits < 1 || ndigits > 20 || !need(addr_octets)) return unexpected(std::string("bad destination address"));
  DecodedSubmit d;
  d.to.international = ton == kTonInternational;
  for (int k = 0; k < ndigits; ++k) {
    const std::uint8_t o = b[p + static_cast<size_t>(k / 2)];
    const int digit = k % 2 ? o >> 4 : o & 15;
    if (digit > 9) return unexpected(std::string("bad destination digit"));
    d.to.digits += static_cast<char>('0' + digit);
  }
  p += addr_octets;
  if (!need(2)) return unexpected(std::string("truncated PID/DCS"));
  ++p;  // TP-PID
  const std::uint8_t dcs = b[p++];
  if (dcs != kDcsUcs2) return unexpected(std::string("not UCS-2 (DCS ") + std::to_string(dcs) + ")");
  const int vpf = (first >> 3) & 3;
  if (vpf == 2) ++p;
  else if (vpf == 1 || vpf == 3) p += 7;
  if (!need(1)) return unexpected(std::string("truncated length"));
  const size_t udl = b[p++];
  if (!need(udl) || p + udl != b.size()) return unexpected(std::string("user data length does not match"));
  size_t ud = p;
  if (first & kUdhi) {
    const size_t udhl = b[ud];
    if (udhl + 1 > udl) return unexpected(std::string("bad user data header"));
    for (size_t q = ud + 1; q + 1 < ud + 1 + udhl;) {
      const std::uint8_t iei = b[q], len = b[q + 1];
      if (iei == 0x00 && len == 3 && q + 4 < b.size()) {
        d.ref = b[q + 2];
        d.parts = b[q + 3];
        d.part = b[q + 4];
      }
      q += 2 + len;
    }
    ud += 1 + udhl;
  }
  if ((b.size() - ud) % 2) return unexpected(std::string("odd UCS-2 length"));
  std::u16string units;
  for (size_t q = ud; q < b.size(); q += 2) units += static_cast<char16_t>((b[q] << 8) | b[q + 1]);
  d.text = utf16_to_utf8(units);
  d.tpdu_octets = static_cast<int>(b.size() - tpdu_start);
  return d;
}

}  // namespace hallq::sms
