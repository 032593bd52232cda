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
  struct State;

 public:
  struct Limits {
    int max_total = 512;
    int per_address = 32;
    int reserved = 64;
    int anonymous_streams = 64;
    int anonymous_per_address = 8;
  };
  enum class Refused { TooMany, AddressFull, ReservedOnly };

  // A connection's place. It shares the gate's counts, so a connection that outlives the
  // gate (its coroutine destroyed with the io_context, after the Hall) still gives its place
  // back safely.
  class Slot {
   public:
    Slot(Slot&& o) noexcept = default;
    Slot& operator=(Slot&& o) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
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
    Slot(std::shared_ptr<State> state, std::string address, bool probation)
        : state_(std::move(state)), address_(std::move(address)), probation_(probation) {}
    void release();
    std::shared_ptr<State> state_;  // null once moved from
    std::string address_;
    bool probation_;
    bool proven_ = false;
    bool anonymous_stream_ = false;
  };

  explicit ConnectionGate(Limits l);
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;
  void set_limits(Limits l);
  const Limits& limits() const;

  struct Admission {
    std::optional<Slot> slot;
    Refused why = Refused::TooMany;
  };
  Admission admit(const std::string& address);

  int total() const;
  int unproven() const;
  int anonymous_streams() const;
  int from(const std::string& address) const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace hallq::api
