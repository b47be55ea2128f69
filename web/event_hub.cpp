// The event hub's thread.
#include "web/event_hub.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/log.hpp"
#include "db/event_log.hpp"
#include "db/schema.hpp"
#include "db/sqlite.hpp"

namespace cucm::web {

struct EventHub::Impl {
  struct Subscriber {
    std::string device;
    std::int64_t after = 0;  // the last id handed to it, or asked for
    Deliver deliver;
    bool started = false;  // its backlog is sent (on the hub's thread)
  };

  Impl(db::Database d, Options o) : db(std::move(d)), options(o) {}

  db::Database db;
  Options options;
  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false, nudged = false;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, Subscriber> subs;  // under mutex
  std::int64_t last = 0;                     // the newest id read: written by the hub's thread under mutex
  std::thread thread;

  void run();
  void start_new(db::EventLog& log);
  void read_new(db::EventLog& log);
};

Result<std::unique_ptr<EventHub>> EventHub::start(const std::filesystem::path& data_dir, Options o) {
  CUCM_TRY(auto d, db::open_cluster_db(data_dir, true));
  auto impl = std::make_unique<Impl>(std::move(d), o);
  CUCM_TRY(auto newest, db::EventLog(impl->db).tail("", 1));
  impl->last = newest.empty() ? 0 : newest.back().id;
  impl->thread = std::thread([p = impl.get()] { p->run(); });
  return std::unique_ptr<EventHub>(new EventHub(std::move(impl)));
}

EventHub::EventHub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventHub::~EventHub() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

void EventHub::nudge() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->nudged = true;
  }
  impl_->wake.notify_one();
}

Result<std::uint64_t> EventHub::subscribe(std::string device, std::int64_t after, Deliver deliver) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->subs.size() >= impl_->options.max_subscribers) {
      return make_error(Errc::ResourceExhausted,
                        fmt::format("{} event streams are open, the most the admin site keeps; close one",
                                    impl_->subs.size()));
    }
    id = impl_->next_id++;
    // Only new rows: those after the newest the hub has read now. Any later row, even one the
    // hub reads before it starts this subscriber, is then in the subscriber's backlog.
    if (after <= 0) after = impl_->last;
    impl_->subs[id] = Impl::Subscriber{std::move(device), after, std::move(deliver), false};
    impl_->nudged = true;
  }
  impl_->wake.notify_one();
  return id;
}

void EventHub::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(impl_->mutex);
  impl_->subs.erase(id);
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->subs.size();
}

void EventHub::Impl::run() {
  db::EventLog log(db);
  while (true) {
    {
      std::unique_lock lock(mutex);
      wake.wait_for(lock, options.poll, [&] { return stopping || nudged; });
      if (stopping) return;
      nudged = false;
    }
    start_new(log);
    read_new(log);
  }
}

// A new subscriber's backlog: the rows after its id up to the newest the hub has read (later rows
// reach it with everyone's).
void EventHub::Impl::start_new(db::EventLog& log) {
  std::vector<std::pair<std::uint64_t, Subscriber>> fresh;
  {
    std::lock_guard lock(mutex);
    for (auto& [id, s] : subs) {
      if (!s.started) fresh.emplace_back(id, s);
    }
  }
  for (auto& [id, s] : fresh) {
    bool alive = true;
    if (s.after < last) {
      auto rows = log.since(s.after, s.device, static_cast<int>(options.backlog));
      std::vector<db::Event> upto;
      if (rows) {
        for (auto& e : *rows) {
          if (e.id <= last) upto.push_back(std::move(e));
        }
      } else {
        log::get("web")->warn("event stream: its missed events could not be read: {}", rows.error().message);
      }
      if (!upto.empty()) alive = s.deliver(upto);
    }
    std::lock_guard lock(mutex);
    auto it = subs.find(id);
    if (it == subs.end()) continue;
    if (!alive) {
      subs.erase(it);
      continue;
    }
    it->second.started = true;
    // A subscriber may already be past what the hub has read (the API subscribes after the newest
    // row committed): it keeps its own mark then.
    it->second.after = std::max(it->second.after, last);
  }
}

void EventHub::Impl::read_new(db::EventLog& log) {
  while (true) {
    if (options.before_read) options.before_read();
    auto rows = log.since(last, "", 1000);
    if (!rows) {
      log::get("web")->warn("event stream: {}", rows.error().message);
      return;
    }
    if (rows->empty()) return;
    std::unique_lock lock(mutex);
    last = rows->back().id;
    for (auto it = subs.begin(); it != subs.end();) {
      auto& s = it->second;
      if (!s.started) {
        ++it;
        continue;
      }
      std::vector<db::Event> mine;
      for (const auto& e : *rows) {
        if (e.id > s.after && (s.device.empty() || e.device == s.device)) mine.push_back(e);
      }
      s.after = std::max(s.after, last);
      // Delivery only posts to the connection's loop: quick enough to do under the lock, which
      // keeps unsubscribe() from racing it.
      if (!mine.empty() && !s.deliver(mine)) {
        it = subs.erase(it);
        continue;
      }
      ++it;
    }
    if (rows->size() < 1000) return;
  }
}

}  // namespace cucm::web
