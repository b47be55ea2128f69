// The armed faults as a running server sees them: read from the database by a thread of its own
// every poll interval (so a change made by the CLI is seen within a second), answered from memory on the
// event loops, and each application counted down at once in memory and soon after in the database.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "fault/store.hpp"

namespace cucm::fault {

// One application of an armed fault: what a server needs to apply it and to say so.
struct Applied {
  const FaultSpec* spec = nullptr;
  std::string device;                          // the device it was applied for
  std::map<std::string, std::int64_t> params;  // every parameter, defaults filled in
  std::int64_t param(std::string_view name) const;
};

struct BoardOptions {
  std::chrono::milliseconds poll{250};
  std::function<SystemTime()> clock;  // for `until`; empty: the system clock
};

class Board {
 public:
  using DbOpener = std::function<Result<db::Database>()>;
  // Opens its own connection and reads the armed faults once before it returns.
  static Result<std::unique_ptr<Board>> start(const DbOpener& open_db, BoardOptions o = {});
  ~Board();  // writes the counts still pending, then stops
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  // Whether a fault of `layer` that `applies` accepts is armed for `device` now, without using
  // it up. Nothing armed at all: one atomic load.
  bool armed(Layer layer, std::string_view device, const std::function<bool(const FaultSpec&)>& applies) const;
  // The same, and the application counted: a fault armed with --count N is taken N times, then
  // no more. A fault armed for the device wins over one armed for every device.
  std::optional<Applied> take(Layer layer, std::string_view device,
                              const std::function<bool(const FaultSpec&)>& applies);
  // Where a device was last seen: the address its file requests came from, noted by TFTP and HTTP
  // while anything is armed. A fault that acts before the phone names itself (a CAPF TLS handshake)
  // finds its device by the connection's address, as CUCM knows a phone by the address it
  // registered from. At most kMaxAddresses are kept; the oldest go first.
  static constexpr std::size_t kMaxAddresses = 4096;
  void seen_at(std::string_view address, std::string_view device);
  // take() for the device last seen at `address` (a fault armed for every device applies to any).
  std::optional<Applied> take_at(Layer layer, std::string_view address,
                                 const std::function<bool(const FaultSpec&)>& applies);
  // Anything armed at all: one atomic load, for callers that would otherwise build arguments.
  bool any() const { return count_.load(std::memory_order_relaxed) != 0; }
  // Reads the database now and waits until it is read (tests; the CLI's own changes).
  void refresh();
  std::uint64_t taken() const { return taken_; }

 private:
  Board(db::Database db, BoardOptions o);
  void run();
  Status sync();  // pending counts to the database, then the rows back into memory
  SystemTime now() const { return o_.clock ? o_.clock() : std::chrono::system_clock::now(); }
  // The index in armed_ of the fault that applies: the device's own before one for every device.
  std::optional<std::size_t> match_locked(Layer layer, std::string_view device,
                                          const std::function<bool(const FaultSpec&)>& applies) const;

  db::Database db_;
  FaultStore store_;
  BoardOptions o_;
  mutable std::mutex mutex_;  // guards armed_, pending_, generations; never held across SQLite
  std::vector<ArmedFault> armed_;
  std::vector<std::int64_t> pending_;  // row ids taken once each, not yet counted in the database
  std::map<std::string, std::string, std::less<>> device_at_;  // address -> device (seen_at)
  std::deque<std::string> address_order_;                      // device_at_'s keys, oldest first
  std::atomic<std::size_t> count_{0};  // armed_.size(): the loops' fast path
  std::atomic<std::uint64_t> taken_{0};
  std::uint64_t synced_ = 0, wanted_ = 0;  // refresh(): sync generations
  std::condition_variable wake_, synced_cv_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace cucm::fault
