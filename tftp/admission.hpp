// Who may start a TFTP transfer: a slot of the server's `max_transfers`, at most `max_per_client`
// of them for one client address, and a share of a memory budget for the buffers transfers make
// for themselves. One address never gets more than half the slots, nor more than half the
// budget, so a flood from one address meets its own cap while the server still has room for the
// others. No I/O. Thread-safe: slots are taken on the listening loop and given back on the
// transfers' loops.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace cucm::tftp {

struct AdmissionLimits {
  std::size_t max_transfers = 1000;        // concurrent, all clients
  std::size_t max_per_client = 32;         // concurrent, one client address
  std::size_t memory_bytes = 64u << 20;    // buffers of the transfers in flight, all clients
};

enum class Refusal {
  None,
  ServerFull,    // max_transfers in flight
  ClientFull,    // this address holds its share of the slots
  ServerMemory,  // the transfer's buffers would pass the memory budget
  ClientMemory,  // this address holds its half of the memory budget
};

class Admission : public std::enable_shared_from_this<Admission> {
 public:
  static std::shared_ptr<Admission> create(AdmissionLimits limits);

  // A slot held by one transfer, given back (with the memory charged to it) when the ticket is
  // released or destroyed.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& o) noexcept;
    Ticket& operator=(Ticket&& o) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }

    struct Charged {
      Refusal refusal = Refusal::None;
      bool first = false;  // as Verdict::first
    };
    // Charges `bytes` of buffers to this transfer (once, after negotiation, when its block and
    // window sizes are known). Refusal::None when they fit; otherwise nothing is charged.
    Charged charge(std::size_t bytes);
    void release();
    explicit operator bool() const { return admission_ != nullptr; }

   private:
    friend class Admission;
    std::shared_ptr<Admission> admission_;
    std::string client_;
    std::size_t charged_ = 0;
  };

  struct Verdict {
    std::optional<Ticket> ticket;  // set when admitted
    Refusal refusal = Refusal::None;
    // The client's first refusal since a transfer of its last started (its memory charged):
    // worth one line in the log, where the rest of a flood is not.
    bool first = false;
  };
  Verdict admit(const std::string& client);

  const AdmissionLimits& limits() const { return limits_; }
  // What one address may hold: max_per_client, but never more than half of max_transfers
  // (at least 1), and half of memory_bytes.
  std::size_t client_slots() const { return client_slots_; }
  std::size_t client_memory() const { return limits_.memory_bytes / 2; }
  std::size_t active() const;
  std::size_t active_for(const std::string& client) const;
  std::size_t memory_used() const;

 private:
  explicit Admission(AdmissionLimits limits);
  Ticket::Charged charge(const std::string& client, std::size_t bytes);
  void release(const std::string& client, std::size_t charged);

  struct Client {
    std::size_t slots = 0;
    std::size_t memory = 0;
  };
  AdmissionLimits limits_;
  std::size_t client_slots_;
  mutable std::mutex mutex_;
  std::size_t active_ = 0;
  std::size_t memory_ = 0;
  std::unordered_map<std::string, Client> clients_;  // addresses holding a slot
  // Addresses refused since a transfer of theirs last started; cleared when it grows large (it
  // only decides whether a refusal is logged).
  std::unordered_set<std::string> refusing_;
};

}  // namespace cucm::tftp
