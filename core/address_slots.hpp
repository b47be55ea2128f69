// What each client address holds of a server (connections, sessions), against a cap per address,
// so that one address cannot fill the server's global cap and leave every other client refused.
// Thread-safe: connections are accepted and end on several loops.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

namespace cucm::core {

class AddressSlots : public std::enable_shared_from_this<AddressSlots> {
 public:
  // A slot held by one connection; given back when the lease goes (moved-from leases hold none).
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept : owner_(std::move(other.owner_)), key_(std::move(other.key_)) {}
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }

   private:
    friend class AddressSlots;
    Lease(std::shared_ptr<AddressSlots> owner, std::string key) : owner_(std::move(owner)), key_(std::move(key)) {}
    void release();
    std::shared_ptr<AddressSlots> owner_;
    std::string key_;
  };

  // `per_address` 0: no cap (every take succeeds, nothing is counted).
  static std::shared_ptr<AddressSlots> make(std::size_t per_address);

  // A slot for `client`, or nothing when that address already holds its cap. IPv4-mapped IPv6
  // addresses count as their IPv4 address.
  std::optional<Lease> take(const boost::asio::ip::address& client);
  std::size_t held(const boost::asio::ip::address& client) const;
  std::size_t addresses() const;  // how many addresses hold a slot now
  std::size_t per_address() const { return per_address_; }

 private:
  explicit AddressSlots(std::size_t per_address) : per_address_(per_address) {}
  static std::string key(const boost::asio::ip::address& a);
  void give_back(const std::string& key);

  std::size_t per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> held_;
};

}  // namespace cucm::core
