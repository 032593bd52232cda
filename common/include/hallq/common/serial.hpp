#pragma once
// Serial ports (USB–RS-232/RS-485 adapters: printers, LED text screens, caller keypads): raw
// 8N1 at a given speed, no flow control, modem lines ignored.
namespace hallq {

// Sets `fd` raw 8N1 at `baud` (1200 … 115200; others fall back to 9600). False when `fd` is not
// a terminal (a plain file in tests) — nothing to set, not an error for the caller.
bool set_serial_raw(int fd, int baud);

}  // namespace hallq
