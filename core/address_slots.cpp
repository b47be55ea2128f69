#include "core/address_slots.hpp"

namespace cucm::core {

AddressSlots::Lease& AddressSlots::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::move(other.owner_);
    key_ = std::move(other.key_);
  }
  return *this;
}

void AddressSlots::Lease::release() {
  if (owner_) owner_->give_back(key_);
  owner_.reset();
}

std::shared_ptr<AddressSlots> AddressSlots::make(std::size_t per_address) {
  return std::shared_ptr<AddressSlots>(new AddressSlots(per_address));
}

std::string AddressSlots::key(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

std::optional<AddressSlots::Lease> AddressSlots::take(const boost::asio::ip::address& client) {
  if (per_address_ == 0) return Lease{};
  std::string k = key(client);
  std::lock_guard lock(mutex_);
  std::size_t& n = held_[k];
  if (n >= per_address_) return std::nullopt;
  ++n;
  return Lease(shared_from_this(), std::move(k));
}

void AddressSlots::give_back(const std::string& k) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(k);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);  // the map holds only addresses with a slot: it stays small
}

std::size_t AddressSlots::held(const boost::asio::ip::address& client) const {
  std::lock_guard lock(mutex_);
  auto it = held_.find(key(client));
  return it == held_.end() ? 0 : it->second;
}

std::size_t AddressSlots::addresses() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

}  // namespace cucm::core
