#include "engine/pick.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <limits>

namespace hallq::engine {
namespace json = boost::json;
using json::string_view;
using boost::system::error_code;

// The SAX handler: depth 1 is the row object's own fields; anything deeper is skipped.
struct RowPicker::Impl {
  struct Handler {
    static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

    const std::vector<std::string>* keys = nullptr;
    std::vector<Field>* fields = nullptr;
    int depth = 0;
    bool top_is_object = false;
    Field* target = nullptr;  // the wanted field whose value comes next (depth 1 only)
    std::string part;         // a key or string split into parts

    Field* value_slot() {
      Field* f = depth == 1 ? target : nullptr;
      target = nullptr;
      return f;
    }
    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) {
      if (depth == 0) top_is_object = true;
      if (Field* f = value_slot()) f->kind = Kind::Other;
      ++depth;
      return true;
    }
    bool on_object_end(std::size_t, error_code&) {
      --depth;
      return true;
    }
    bool on_array_begin(error_code&) {
      if (Field* f = value_slot()) f->kind = Kind::Other;
      ++depth;
      return true;
    }
    bool on_array_end(std::size_t, error_code&) {
      --depth;
      return true;
    }
    bool on_key_part(string_view s, std::size_t, error_code&) {
      if (depth == 1) part.append(s.data(), s.size());
      return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
      if (depth != 1) return true;
      std::string_view key(s.data(), s.size());
      if (!part.empty()) {
        part.append(s.data(), s.size());
        key = part;
      }
      target = nullptr;
      for (std::size_t k = 0; k < keys->size(); ++k)
        if ((*keys)[k] == key) {
          target = &(*fields)[k];
          break;
        }
      part.clear();
      return true;
    }
    bool on_string_part(string_view s, std::size_t, error_code&) {
      if (depth == 1 && target) part.append(s.data(), s.size());
      return true;
    }
    bool on_string(string_view s, std::size_t, error_code&) {
      if (Field* f = value_slot()) {
        f->kind = Kind::String;
        if (part.empty()) {
          f->s.assign(s.data(), s.size());
        } else {
          part.append(s.data(), s.size());
          f->s = part;
        }
      }
      part.clear();
      return true;
    }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t i, string_view, error_code&) {
      if (Field* f = value_slot()) {
        f->kind = Kind::Int;
        f->i = i;
      }
      return true;
    }
    bool on_uint64(std::uint64_t, string_view, error_code&) {
      if (Field* f = value_slot()) f->kind = Kind::Other;
      return true;
    }
    bool on_double(double, string_view, error_code&) {
      if (Field* f = value_slot()) f->kind = Kind::Other;
      return true;
    }
    bool on_bool(bool b, error_code&) {
      if (Field* f = value_slot()) {
        f->kind = Kind::Bool;
        f->b = b;
      }
      return true;
    }
    bool on_null(error_code&) {
      if (Field* f = value_slot()) f->kind = Kind::Null;
      return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
  };

  json::basic_parser<Handler> parser;
  Impl() : parser(json::parse_options{}) {}
};

RowPicker::RowPicker(std::vector<std::string> keys)
    : keys_(std::move(keys)), fields_(keys_.size()), impl_(std::make_unique<Impl>()) {
  impl_->parser.handler().keys = &keys_;
  impl_->parser.handler().fields = &fields_;
}

RowPicker::~RowPicker() = default;

bool RowPicker::parse(std::string_view text) {
  for (auto& f : fields_) f.kind = Kind::Absent;
  auto& p = impl_->parser;
  p.reset();
  auto& h = p.handler();
  h.depth = 0;
  h.top_is_object = false;
  h.target = nullptr;
  h.part.clear();
  error_code ec;
  const std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (ec || n != text.size() || !h.top_is_object) {
    for (auto& f : fields_) f.kind = Kind::Absent;
    return false;
  }
  return true;
}

}  // namespace hallq::engine
