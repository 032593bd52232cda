#include "conn_gate.hpp"

namespace hallq::api {

ConnectionGate::Slot::Slot(Slot&& o) noexcept
    : gate_(o.gate_),
      address_(std::move(o.address_)),
      probation_(o.probation_),
      proven_(o.proven_),
      anonymous_stream_(o.anonymous_stream_) {
  o.gate_ = nullptr;
}

ConnectionGate::Slot& ConnectionGate::Slot::operator=(Slot&& o) noexcept {
  if (this == &o) return *this;
  if (gate_) gate_->release(*this);
  gate_ = o.gate_;
  address_ = std::move(o.address_);
  probation_ = o.probation_;
  proven_ = o.proven_;
  anonymous_stream_ = o.anonymous_stream_;
  o.gate_ = nullptr;
  return *this;
}

ConnectionGate::Slot::~Slot() {
  if (gate_) gate_->release(*this);
}

void ConnectionGate::Slot::prove() {
  if (!gate_ || proven_) return;
  proven_ = true;
  gate_->unproven_--;
  if (probation_) {
    probation_ = false;
    gate_->by_address_[address_].probation--;
  }
}

bool ConnectionGate::Slot::open_anonymous_stream() {
  if (!gate_ || anonymous_stream_) return gate_ != nullptr;
  PerAddress& a = gate_->by_address_[address_];
  if (gate_->anonymous_streams_ >= gate_->limits_.anonymous_streams || a.anonymous_streams >= gate_->limits_.anonymous_per_address)
    return false;
  anonymous_stream_ = true;
  gate_->anonymous_streams_++;
  a.anonymous_streams++;
  return true;
}

ConnectionGate::Admission ConnectionGate::admit(const std::string& address) {
  Admission out;
  if (total_ >= limits_.max_total) return out;  // TooMany
  PerAddress& a = by_address_[address];
  auto refuse = [&](Refused why) {
    if (a.connections == 0) by_address_.erase(address);
    out.why = why;
    return std::move(out);
  };
  if (a.connections >= limits_.per_address) return refuse(Refused::AddressFull);
  bool probation = false;
  if (unproven_ >= limits_.max_total - limits_.reserved) {
    // The open share is full: the reserve takes only who will show a credential, and one
    // hopeful per address at a time, so a flood cannot fill the reserve as well.
    if (a.probation >= 1) return refuse(Refused::ReservedOnly);
    probation = true;
    a.probation++;
  }
  a.connections++;
  total_++;
  unproven_++;
  out.slot.emplace(Slot(this, address, probation));
  return out;
}

int ConnectionGate::from(const std::string& address) const {
  auto it = by_address_.find(address);
  return it == by_address_.end() ? 0 : it->second.connections;
}

void ConnectionGate::release(Slot& s) {
  auto it = by_address_.find(s.address_);
  total_--;
  if (!s.proven_) unproven_--;
  if (s.anonymous_stream_) anonymous_streams_--;
  if (it == by_address_.end()) return;
  PerAddress& a = it->second;
  a.connections--;
  if (s.probation_) a.probation--;
  if (s.anonymous_stream_) a.anonymous_streams--;
  if (a.connections <= 0) by_address_.erase(it);
}

}  // namespace hallq::api
