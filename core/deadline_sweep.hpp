// Deadlines for many connections of one event loop, checked by one timer: what every server
// (HTTP, TFTP, CAPF and the services to come) uses instead of a timer per connection.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>

namespace cucm::core {

// A connection whose deadline a DeadlineSweep watches: a node of the sweep's list.
class Watched {
 public:
  std::chrono::steady_clock::time_point deadline{};
  virtual ~Watched() = default;
  virtual void expire() = 0;  // the deadline has passed: close

 private:
  friend class DeadlineSweep;
  Watched* prev_ = nullptr;
  Watched* next_ = nullptr;
};

// The deadlines of one loop's connections, checked by one timer every `period` while there are
// connections. A timer per connection cost a heap insert, a cancel and one more handler run per
// connection, and a timerfd_settime whenever the earliest deadline changed. A connection is
// closed between its deadline and one period after it. Used only on its loop's thread (and, once
// the loops have stopped, by the destructors of the sessions left). Its sessions share it: the
// last one to go destroys it, and so its timer, on its own loop: a server lets go of its sweeps
// while every loop still exists (see ~HttpServer).
class DeadlineSweep : public std::enable_shared_from_this<DeadlineSweep> {
 public:
  DeadlineSweep(boost::asio::io_context& loop, std::chrono::milliseconds period)
      : loop_(loop), timer_(loop.get_executor()), period_(period) {}

  boost::asio::io_context& loop() const { return loop_; }

  void add(Watched& w) {
    w.next_ = head_;
    if (head_) head_->prev_ = &w;
    head_ = &w;
  }

  void remove(Watched& w) {
    (w.prev_ ? w.prev_->next_ : head_) = w.next_;
    if (w.next_) w.next_->prev_ = w.prev_;
    w.prev_ = w.next_ = nullptr;
  }

  // Arms the timer if it is not armed.
  void start() {
    if (armed_) return;
    armed_ = true;
    timer_.expires_after(period_);
    timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->armed_ = false;
      auto now = std::chrono::steady_clock::now();
      for (Watched* w = self->head_; w; w = w->next_) {
        if (w->deadline <= now) w->expire();  // closes the socket; the session ends in its handlers
      }
      if (self->head_) self->start();
    });
  }

 private:
  boost::asio::io_context& loop_;
  boost::asio::basic_waitable_timer<std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>,
                                    boost::asio::io_context::executor_type>
      timer_;
  std::chrono::milliseconds period_;
  Watched* head_ = nullptr;
  bool armed_ = false;
};

// One DeadlineSweep per event loop of a server; a connection takes the one of the loop it runs on.
class LoopSweeps {
 public:
  LoopSweeps(const std::vector<boost::asio::io_context*>& loops, std::chrono::milliseconds period) : period_(period) {
    for (auto* loop : loops) sweeps_.push_back(std::make_shared<DeadlineSweep>(*loop, period));
  }

  std::shared_ptr<DeadlineSweep> of(boost::asio::io_context& loop) const {
    for (const auto& sweep : sweeps_) {
      if (&sweep->loop() == &loop) return sweep;
    }
    // Not expected (connections run on the server's loops, and only while it exists), but safe:
    // a sweep of the connection's own, rather than a timer on another loop's thread.
    return std::make_shared<DeadlineSweep>(loop, period_);
  }

  // A server lets go of its sweeps in its destructor, while every loop still exists: an idle
  // loop's sweep (and its timer) goes then, a busy one's with its last connection, on its loop.
  void clear() { sweeps_.clear(); }

 private:
  std::vector<std::shared_ptr<DeadlineSweep>> sweeps_;
  std::chrono::milliseconds period_;
};

// A sweep's period for connections whose deadline is `timeout` away: a quarter of it, so a
// deadline is kept to within 25%, between 10 ms and 1 s.
inline std::chrono::milliseconds sweep_period(std::chrono::milliseconds timeout) {
  return std::clamp(timeout / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
}

}  // namespace cucm::core
