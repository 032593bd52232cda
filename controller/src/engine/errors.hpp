#pragma once
// Small helpers every engine source file uses: building an Error and the epoch-millisecond
// form in which times are kept in events and rows.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

#include "hallq/controller/engine.hpp"

namespace hallq::engine {

inline Error err(Errc c, std::string en, std::string zh) { return Error{c, std::move(en), std::move(zh)}; }
inline std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint tp(std::int64_t v) { return TimePoint{std::chrono::milliseconds{v}}; }

// The average service time is kept to whole milliseconds. Boost.JSON (1.81) parses doubles
// imprecisely, so the full double would come back from the meta row a bit off and a restored
// engine would drift from the live one; a millisecond value survives the round trip exactly.
inline double whole_ms(double s) { return std::round(s * 1000) / 1000; }

inline bool is_final(TicketState s) {
  return s == TicketState::Done || s == TicketState::Cancelled || s == TicketState::Closed ||
         s == TicketState::Voided;
}

}  // namespace hallq::engine
