#pragma once
// A QR code as an SVG image (libqrencode), for screens: the kiosk page shows an item's guide on
// the materials screen (R-ONCE-1, R-HALL-4); /admin prints it on a booking's slip (R-APPT-1).
#include <optional>
#include <string>

namespace hallq::escpos {

// Level M, a quiet zone of 4 modules, black on white; nullopt if the data cannot be encoded
// (empty, or longer than 1,000 bytes).
std::optional<std::string> qr_svg(const std::string& data);

}  // namespace hallq::escpos
