// The GPIO driver (drivers/gpio): the backend the build chose for its libgpiod, and the
// errors a kiosk's installer meets with a wrong chip in kiosk.toml. Runs against libgpiod 1
// in the dev, asan and bookworm builds and against libgpiod 2 in the trixie builds. A real
// chip's edges and LED are tested on the kernel's gpio-sim where one exists (tests/gpio).
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "hallq/gpio/lines.hpp"
#include "hallq_catch.hpp"

using hallq::gpio::LinesRequest;
using hallq::gpio::open_button_lines;

TEST_CASE("the build uses the libgpiod its Debian release ships", "[gpio]") {
  // HALLQ_GPIOD_MAJOR is what pkg-config found at configure time; the running library must
  // be that major version (libgpiod 1 and 2 are not interchangeable).
  std::string v = hallq::gpio::library_version();
  INFO(v);
  CHECK(v.rfind("libgpiod " + std::to_string(HALLQ_GPIOD_MAJOR) + ".", 0) == 0);
}

TEST_CASE("a chip that does not exist is refused with its path and the reason", "[gpio]") {
  auto lines = open_button_lines(LinesRequest{"/nonexistent/gpiochip7", {5, 6}, 17, "hallq-test"});
  REQUIRE_FALSE(lines);
  CHECK_THAT(lines.error(), HasSubstr("/nonexistent/gpiochip7"));
  CHECK_THAT(lines.error(), HasSubstr("cannot open the GPIO chip"));
  CHECK_THAT(lines.error(), HasSubstr("No such file or directory"));
}

TEST_CASE("a device that is not a GPIO chip is refused", "[gpio]") {
  // /dev/null is a character device, but not a GPIO chip: the installer typed the wrong node.
  REQUIRE(::access("/dev/null", R_OK) == 0);
  auto lines = open_button_lines(LinesRequest{"/dev/null", {5}, std::nullopt, "hallq-test"});
  REQUIRE_FALSE(lines);
  CHECK_THAT(lines.error(), HasSubstr("/dev/null: cannot open the GPIO chip"));
}

TEST_CASE("a regular file named as the chip is refused", "[gpio]") {
  char path[] = "/tmp/hallq-gpio-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  auto lines = open_button_lines(LinesRequest{path, {5}, std::nullopt, "hallq-test"});
  ::unlink(path);
  REQUIRE_FALSE(lines);
  CHECK_THAT(lines.error(), HasSubstr(std::string(path) + ": cannot open the GPIO chip"));
}
