// The Catch2 main, alone in its translation unit so test files rebuild fast.
#if __has_include(<catch2/catch_session.hpp>)
#include <catch2/catch_session.hpp>  // Catch2 3
#else
#define CATCH_CONFIG_RUNNER  // Catch2 2
#include <catch2/catch.hpp>
#endif

int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
