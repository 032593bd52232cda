#pragma once
// Small helpers every engine source file uses: building an Error and the epoch-millisecond
// form in which times are kept in events and rows.
#include <chrono>
#include <cstdint>
#include <string>

#include "hallq/controller/engine.hpp"

namespace hallq::engine {

inline Error err(Errc c, std::string en, std::string zh) { return Error{c, std::move(en), std::move(zh)}; }
inline std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint tp(std::int64_t v) { return TimePoint{std::chrono::milliseconds{v}}; }

}  // namespace hallq::engine
