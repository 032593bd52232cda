#include "hallq/common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace hallq {

std::shared_ptr<spdlog::logger> logger(const std::string& category) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto l = spdlog::get(category)) return l;
  auto l = spdlog::stderr_logger_mt(category);
  l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  return l;
}

void set_log_level(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace hallq
