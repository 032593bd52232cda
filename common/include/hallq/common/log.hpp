#pragma once
// Logging: one spdlog logger per component category, all to stderr (journald collects it).
// Never log a citizen's phone or ID number in clear (style 30).
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace hallq {

// The logger for a category ("engine", "store", "api", ...), created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& category);
// Sets the level of all loggers: "trace", "debug", "info", "warn", "error", "off".
void set_log_level(const std::string& level);

}  // namespace hallq
