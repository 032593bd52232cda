#pragma once
// Catch2 as both Debian releases ship it: version 2 (Debian 12, one header) and version 3
// (Debian 13, a library with split headers). Test files include this header only, and use
// HasSubstr() for "the text contains" and Approx for floating-point comparisons.
#include <string>

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
inline auto HasSubstr(const std::string& text) { return Catch::Matchers::ContainsSubstring(text); }
#else
#include <catch2/catch.hpp>
inline auto HasSubstr(const std::string& text) { return Catch::Matchers::Contains(text); }
#endif
