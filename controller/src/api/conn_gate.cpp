#include "conn_gate.hpp"

namespace hallq::api {

struct ConnectionGate::State {
  struct PerAddress {
    int connections = 0;
    int probation = 0;
    int anonymous_streams = 0;
  };
  Limits limits;
  int total = 0;
  int unproven = 0;
  int anonymous_streams = 0;
  std::unordered_map<std::string, PerAddress> by_address;
};

ConnectionGate::ConnectionGate(Limits l) : state_(std::make_shared<State>()) { state_->limits = l; }
void ConnectionGate::set_limits(Limits l) { state_->limits = l; }
const ConnectionGate::Limits& ConnectionGate::limits() const { return state_->limits; }
int ConnectionGate::total() const { return state_->total; }
int ConnectionGate::unproven() const { return state_->unproven; }
int ConnectionGate::anonymous_streams() const { return state_->anonymous_streams; }

int ConnectionGate::from(const std::string& address) const {
  auto it = state_->by_address.find(address);
  return it == state_->by_address.end() ? 0 : it->second.connections;
}

ConnectionGate::Admission ConnectionGate::admit(const std::string& address) {
  State& g = *state_;
  Admission out;
  if (g.total >= g.limits.max_total) return out;  // TooMany
  auto& a = g.by_address[address];
  auto refuse = [&](Refused why) {
    if (a.connections == 0) g.by_address.erase(address);
    out.why = why;
    return std::move(out);
  };
  if (a.connections >= g.limits.per_address) return refuse(Refused::AddressFull);
  bool probation = false;
  if (g.unproven >= g.limits.max_total - g.limits.reserved) {
    // The open share is full: the reserve takes only who will show a credential, and one
    // hopeful per address at a time, so a flood cannot fill the reserve as well.
    if (a.probation >= 1) return refuse(Refused::ReservedOnly);
    probation = true;
    a.probation++;
  }
  a.connections++;
  g.total++;
  g.unproven++;
  out.slot.emplace(Slot(state_, address, probation));
  return out;
}

ConnectionGate::Slot& ConnectionGate::Slot::operator=(Slot&& o) noexcept {
  if (this == &o) return *this;
  release();
  state_ = std::move(o.state_);
  address_ = std::move(o.address_);
  probation_ = o.probation_;
  proven_ = o.proven_;
  anonymous_stream_ = o.anonymous_stream_;
  return *this;
}

ConnectionGate::Slot::~Slot() { release(); }

void ConnectionGate::Slot::prove() {
  if (!state_ || proven_) return;
  proven_ = true;
  state_->unproven--;
  if (probation_) {
    probation_ = false;
    state_->by_address[address_].probation--;
  }
}

bool ConnectionGate::Slot::open_anonymous_stream() {
  if (!state_) return false;
  if (anonymous_stream_) return true;
  State& g = *state_;
  auto& a = g.by_address[address_];
  if (g.anonymous_streams >= g.limits.anonymous_streams || a.anonymous_streams >= g.limits.anonymous_per_address)
    return false;
  anonymous_stream_ = true;
  g.anonymous_streams++;
  a.anonymous_streams++;
  return true;
}

void ConnectionGate::Slot::release() {
  if (!state_) return;
  State& g = *state_;
  g.total--;
  if (!proven_) g.unproven--;
  if (anonymous_stream_) g.anonymous_streams--;
  if (auto it = g.by_address.find(address_); it != g.by_address.end()) {
    auto& a = it->second;
    a.connections--;
    if (probation_) a.probation--;
    if (anonymous_stream_) a.anonymous_streams--;
    if (a.connections <= 0) g.by_address.erase(it);
  }
  state_.reset();
}

}  // namespace hallq::api
