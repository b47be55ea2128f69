#include "core/loop_pool.hpp"

#include <pthread.h>

#include <stdexcept>

namespace cucm::core {

LoopPool::LoopPool(std::size_t loops) {
  if (loops == 0) throw std::invalid_argument("LoopPool needs at least one loop");
  for (std::size_t i = 0; i < loops; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread.
    loops_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(boost::asio::make_work_guard(*loops_.back()));
  }
}

LoopPool::~LoopPool() {
  stop();
  join();
}

std::vector<boost::asio::io_context*> LoopPool::contexts() const {
  std::vector<boost::asio::io_context*> out;
  for (const auto& l : loops_) out.push_back(l.get());
  return out;
}

void LoopPool::start(const std::string& thread_name) {
  std::string name = thread_name.substr(0, 15);  // the kernel keeps 15 characters
  for (auto& loop : loops_) {
    threads_.emplace_back([io = loop.get(), name] {
      pthread_setname_np(pthread_self(), name.c_str());
      io->run();
    });
  }
}

void LoopPool::stop() {
  std::lock_guard lock(stop_mutex_);
  for (auto& guard : guards_) guard.reset();
  for (auto& loop : loops_) loop->stop();
}

void LoopPool::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace cucm::core
