#pragma once
// Picks a few top-level fields out of a JSON row without building a document: reports read a
// year of ticket, case and event rows (hundreds of thousands) and need a handful of fields of
// each. A SAX pass over the text (boost::json::basic_parser) fills the wanted fields and skips
// the rest, nested objects and arrays included.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallq/common/time.hpp"

namespace hallq::engine {

class RowPicker {
 public:
  enum class Kind { Absent, Null, Int, Bool, String, Other };
  struct Field {
    Kind kind = Kind::Absent;
    std::int64_t i = 0;
    bool b = false;
    std::string s;
  };

  explicit RowPicker(std::vector<std::string> keys);
  ~RowPicker();
  RowPicker(const RowPicker&) = delete;
  RowPicker& operator=(const RowPicker&) = delete;

  // Parses one row; false when the text is not one JSON object (the fields are then Absent).
  bool parse(std::string_view text);

  // The field at the index of its key in the constructor's list, as the last parse found it.
  const Field& operator[](std::size_t k) const { return fields_[k]; }
  std::int64_t i(std::size_t k) const { return fields_[k].kind == Kind::Int ? fields_[k].i : 0; }
  bool b(std::size_t k) const { return fields_[k].kind == Kind::Bool && fields_[k].b; }
  std::string_view s(std::size_t k) const {
    return fields_[k].kind == Kind::String ? std::string_view(fields_[k].s) : std::string_view();
  }
  // A time stored as integer milliseconds since the epoch; nullopt when absent or null.
  std::optional<TimePoint> t(std::size_t k) const {
    if (fields_[k].kind != Kind::Int) return std::nullopt;
    return TimePoint{std::chrono::milliseconds{fields_[k].i}};
  }

 private:
  struct Impl;
  std::vector<std::string> keys_;
  std::vector<Field> fields_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallq::engine
