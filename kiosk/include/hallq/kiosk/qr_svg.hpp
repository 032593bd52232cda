#pragma once
// A QR code as an SVG image (libqrencode), for the kiosk page: the guide of an item is shown
// on the materials screen so a citizen can take it away on the phone (R-ONCE-1, R-HALL-4).
#include <optional>
#include <string>

namespace hallq::kiosk {

// Level M, a quiet zone of 4 modules, black on white; nullopt if the data cannot be encoded
// (empty, or longer than 1,000 bytes).
std::optional<std::string> qr_svg(const std::string& data);

}  // namespace hallq::kiosk
