#include "hallq/escpos/qr_svg.hpp"

#include <qrencode.h>

#include <memory>

namespace hallq::escpos {

std::optional<std::string> qr_svg(const std::string& data) {
  if (data.empty() || data.size() > 1000) return std::nullopt;
  QRcode* code = QRcode_encodeData(static_cast<int>(data.size()), reinterpret_cast<const unsigned char*>(data.data()),
                                   0, QR_ECLEVEL_M);
  if (!code) return std::nullopt;
  std::unique_ptr<QRcode, void (*)(QRcode*)> guard(code, QRcode_free);
  const int quiet = 4;
  const int size = code->width + 2 * quiet;
  std::string path;
  path.reserve(static_cast<size_t>(code->width * code->width) * 4);
  // One horizontal run of dark modules per "M x y h n v1 h -n z".
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width;) {
      if (!(code->data[y * code->width + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < code->width && (code->data[y * code->width + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h" + std::to_string(run) + "v1h-" +
              std::to_string(run) + "z";
      x += run;
    }
  }
  const std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + s + "\" height=\"" + s + "\" fill=\"#fff\"/><path d=\"" +
         path + "\" fill=\"#000\"/></svg>";
}

}  // namespace hallq::escpos
