// Transfer slots and the memory budget.
#include "tftp/admission.hpp"

#include <algorithm>

namespace cucm::tftp {

std::shared_ptr<Admission> Admission::create(AdmissionLimits limits) {
  return std::shared_ptr<Admission>(new Admission(limits));
}

Admission::Admission(AdmissionLimits limits)
    : limits_(limits),
      client_slots_(std::max<std::size_t>(1, std::min(limits.max_per_client, limits.max_transfers / 2))) {}

Admission::Verdict Admission::admit(const std::string& client) {
  std::lock_guard lock(mutex_);
  Verdict v;
  auto it = clients_.find(client);
  std::size_t held = it == clients_.end() ? 0 : it->second.slots;
  // The client's own cap first: it is below the server's, so one address cannot reach the
  // server's while it has room for others.
  if (held >= client_slots_) v.refusal = Refusal::ClientFull;
  else if (active_ >= limits_.max_transfers) v.refusal = Refusal::ServerFull;
  if (v.refusal != Refusal::None) {
    if (refusing_.size() >= 4096) refusing_.clear();
    v.first = refusing_.insert(client).second;
    return v;
  }
  ++clients_[client].slots;
  ++active_;
  Ticket t;
  t.admission_ = shared_from_this();
  t.client_ = client;
  v.ticket.emplace(std::move(t));
  return v;
}

Admission::Ticket::Charged Admission::charge(const std::string& client, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  Client& c = clients_[client];
  Ticket::Charged r;
  if (c.memory + bytes > client_memory()) r.refusal = Refusal::ClientMemory;
  else if (memory_ + bytes > limits_.memory_bytes) r.refusal = Refusal::ServerMemory;
  if (r.refusal != Refusal::None) {
    if (refusing_.size() >= 4096) refusing_.clear();
    r.first = refusing_.insert(client).second;
    return r;
  }
  refusing_.erase(client);
  c.memory += bytes;
  memory_ += bytes;
  return r;
}

void Admission::release(const std::string& client, std::size_t charged) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return;  // not expected: every ticket took a slot
  --active_;
  memory_ -= charged;
  it->second.memory -= charged;
  if (--it->second.slots == 0) clients_.erase(it);
}

std::size_t Admission::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

std::size_t Admission::active_for(const std::string& client) const {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.slots;
}

std::size_t Admission::memory_used() const {
  std::lock_guard lock(mutex_);
  return memory_;
}

Admission::Ticket::Ticket(Ticket&& o) noexcept
    : admission_(std::move(o.admission_)), client_(std::move(o.client_)), charged_(o.charged_) {
  o.admission_.reset();
  o.charged_ = 0;
}

Admission::Ticket& Admission::Ticket::operator=(Ticket&& o) noexcept {
  if (this != &o) {
    release();
    admission_ = std::move(o.admission_);
    client_ = std::move(o.client_);
    charged_ = o.charged_;
    o.admission_.reset();
    o.charged_ = 0;
  }
  return *this;
}

Admission::Ticket::Charged Admission::Ticket::charge(std::size_t bytes) {
  if (!admission_) return {Refusal::ServerFull, false};  // a released ticket holds no slot
  Charged r = admission_->charge(client_, bytes);
  if (r.refusal == Refusal::None) charged_ += bytes;
  return r;
}

void Admission::Ticket::release() {
  if (!admission_) return;
  admission_->release(client_, charged_);
  admission_.reset();
  charged_ = 0;
}

}  // namespace cucm::tftp
