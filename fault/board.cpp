// The live view of the armed faults: a poll thread, memory for the loops.
#include "fault/board.hpp"

#include <algorithm>

namespace cucm::fault {

std::int64_t Applied::param(std::string_view name) const {
  if (auto it = params.find(std::string(name)); it != params.end()) return it->second;
  for (const auto& p : spec->params) {
    if (p.name == name) return p.fallback;
  }
  return 0;
}

Board::Board(db::Database db, BoardOptions o) : db_(std::move(db)), store_(db_), o_(std::move(o)) {}

Result<std::unique_ptr<Board>> Board::start(const DbOpener& open_db, BoardOptions o) {
  CUCM_TRY(db::Database db, open_db());
  std::unique_ptr<Board> b(new Board(std::move(db), std::move(o)));
  CUCM_CHECK(b->sync());
  b->thread_ = std::thread([p = b.get()] { p->run(); });
  return b;
}

Board::~Board() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)sync();  // the applications counted since the last poll
}

void Board::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, o_.poll, [&] { return stop_ || wanted_ != synced_; });
    if (stop_) break;
    std::uint64_t generation = wanted_;
    lock.unlock();
    (void)sync();  // a failed read keeps what is in memory; the next poll tries again
    lock.lock();
    synced_ = generation;
    synced_cv_.notify_all();
  }
}

// Counts first, then the rows: a row read back already has every application written so far.
// An application taken between the two is still pending, and is taken off the row read.
Status Board::sync() {
  std::vector<std::int64_t> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(pending_);
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (auto st = store_.consume(pending[i]); !st) {
      std::lock_guard lock(mutex_);  // the ones not written yet are tried again at the next poll
      pending_.insert(pending_.end(), pending.begin() + static_cast<std::ptrdiff_t>(i), pending.end());
      return st;
    }
  }
  CUCM_TRY(auto rows, store_.list());
  std::lock_guard lock(mutex_);
  for (auto& row : rows) {
    if (!row.remaining) continue;
    auto taken_since = std::count(pending_.begin(), pending_.end(), row.id);
    row.remaining = std::max<std::int64_t>(0, *row.remaining - taken_since);
  }
  armed_ = std::move(rows);
  count_ = armed_.size();
  return Ok{};
}

void Board::refresh() {
  std::unique_lock lock(mutex_);
  std::uint64_t want = ++wanted_;
  wake_.notify_all();
  synced_cv_.wait(lock, [&] { return stop_ || synced_ >= want; });
}

std::optional<std::size_t> Board::match_locked(Layer layer, std::string_view device,
                                               const std::function<bool(const FaultSpec&)>& applies) const {
  SystemTime t = now();
  std::optional<std::size_t> for_all;
  for (std::size_t i = 0; i < armed_.size(); ++i) {
    const ArmedFault& a = armed_[i];
    if (a.spec->layer != layer || !a.active_at(t) || !applies(*a.spec)) continue;
    if (!a.device.empty() && a.device == device) return i;
    if (a.device.empty() && !device.empty() && !for_all) for_all = i;
  }
  return for_all;
}

bool Board::armed(Layer layer, std::string_view device, const std::function<bool(const FaultSpec&)>& applies) const {
  if (count_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(mutex_);
  return match_locked(layer, device, applies).has_value();
}

std::optional<Applied> Board::take(Layer layer, std::string_view device,
                                   const std::function<bool(const FaultSpec&)>& applies) {
  if (count_.load(std::memory_order_relaxed) == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto i = match_locked(layer, device, applies);
  if (!i) return std::nullopt;
  ArmedFault& row = armed_[*i];
  if (row.remaining) {  // written by the poll thread within kPoll
    --*row.remaining;
    pending_.push_back(row.id);
  }
  ++taken_;
  return Applied{row.spec, std::string(device), row.params};
}

void Board::seen_at(std::string_view address, std::string_view device) {
  if (!any() || address.empty() || device.empty()) return;
  std::lock_guard lock(mutex_);
  auto it = device_at_.find(address);
  if (it != device_at_.end()) {
    if (it->second != device) it->second = std::string(device);
    return;
  }
  if (device_at_.size() >= kMaxAddresses) {
    device_at_.erase(address_order_.front());
    address_order_.pop_front();
  }
  device_at_.emplace(std::string(address), std::string(device));
  address_order_.emplace_back(address);
}

std::optional<Applied> Board::take_at(Layer layer, std::string_view address,
                                      const std::function<bool(const FaultSpec&)>& applies) {
  if (!any()) return std::nullopt;
  std::string device;
  {
    std::lock_guard lock(mutex_);
    if (auto it = device_at_.find(address); it != device_at_.end()) device = it->second;
  }
  // An address never seen is no device: only a fault armed for every device can apply ("?" matches
  // no stored name), and it is reported for no device.
  auto applied = take(layer, device.empty() ? std::string_view("?") : std::string_view(device), applies);
  if (applied && device.empty()) applied->device.clear();
  return applied;
}

}  // namespace cucm::fault
