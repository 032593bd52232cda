#pragma once
// Which connections the controller takes (issue 26): one host on the LAN must not be able to
// shut kiosks, display nodes and clerks out by opening connections.
//  - `max_total` connections at once, all listeners together;
//  - at most `per_address` from one address;
//  - the last `reserved` places are for connections that present a credential: once the
//    connections that have not (yet) done so fill the rest, a new one is taken only on
//    probation, at most one per address, and is closed unless its first request carries a
//    valid device token or session;
//  - event streams without a credential (wall boards): at most `anonymous_streams`, and
//    `anonymous_per_address` from one address.
// A Slot holds a connection's place from accept to close.
// Thread-safety: none; the listeners use it on the I/O thread only.
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace hallq::api {

class ConnectionGate {
 public:
  struct Limits {
    int max_total = 512;
    int per_address = 32;
    int reserved = 64;
    int anonymous_streams = 64;
    int anonymous_per_address = 8;
  };
  enum class Refused { TooMany, AddressFull, ReservedOnly };

  class Slot {
   public:
    Slot(Slot&& o) noexcept;
    Slot& operator=(Slot&& o) noexcept;
    Slot(const Slot&) = delete;
    ~Slot();
    // Admitted into the reserved places: the first request must present a credential.
    bool on_probation() const { return probation_; }
    // The connection presented a valid credential: it no longer counts against the open share.
    void prove();
    bool proven() const { return proven_; }
    // Takes a place for an event stream without a credential; false when none is left.
    bool open_anonymous_stream();
    const std::string& address() const { return address_; }

   private:
    friend class ConnectionGate;
    Slot(ConnectionGate* gate, std::string address, bool probation)
        : gate_(gate), address_(std::move(address)), probation_(probation) {}
    ConnectionGate* gate_;
    std::string address_;
    bool probation_;
    bool proven_ = false;
    bool anonymous_stream_ = false;
  };

  explicit ConnectionGate(Limits l) : limits_(l) {}
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;
  void set_limits(Limits l) { limits_ = l; }
  const Limits& limits() const { return limits_; }

  struct Admission {
    std::optional<Slot> slot;
    Refused why = Refused::TooMany;
  };
  Admission admit(const std::string& address);

  int total() const { return total_; }
  int unproven() const { return unproven_; }
  int anonymous_streams() const { return anonymous_streams_; }
  int from(const std::string& address) const;

 private:
  struct PerAddress {
    int connections = 0;
    int probation = 0;
    int anonymous_streams = 0;
  };
  void release(Slot& s);

  Limits limits_;
  int total_ = 0;
  int unproven_ = 0;
  int anonymous_streams_ = 0;
  std::unordered_map<std::string, PerAddress> by_address_;
};

}  // namespace hallq::api
