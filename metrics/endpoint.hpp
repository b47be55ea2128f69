// The scrape endpoint: `GET /metrics` over HTTP/1.1 (Boost.Beast) on a thread and an event loop of
// its own, so a scrape, or a client that connects and says nothing, never delays a phone. It is
// a server of untrusted bytes like the others: a deadline on every read and write, a small cap on
// a request's size and on connections, and nothing but the text the render callback makes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "core/loop_pool.hpp"
#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"

namespace cucm::metrics {

struct EndpointConfig {
  // Loopback by default: the numbers say which files phones fetch and how busy the lab is; they
  // are shown to another host only when asked for.
  std::string address = "127.0.0.1";
  std::uint16_t port = 9464;  // 0: a port the kernel picks (tests)
  std::chrono::milliseconds io_timeout{5'000};  // per read and write
  std::size_t max_connections = 16;  // a scraper needs one; more are closed at once
};

struct EndpointStats {
  Counter scrapes;     // 200 answers to GET or HEAD /metrics
  Counter not_found;   // another path
  Counter bad;         // malformed or too large (400), another method (405), a render error (500)
  Counter refused;     // connections past max_connections
  Gauge open;          // connections open now
};

class Endpoint {
 public:
  // Makes the text of one scrape; runs on the endpoint's thread. An error is answered 500 and
  // logged (the families are ours, so it is a bug).
  using Render = std::function<Result<std::string>()>;

  Endpoint(EndpointConfig cfg, Render render);
  ~Endpoint();  // stop() and wait()
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Binds and listens, then serves on a thread named "cucm-metrics". InvalidArgument for a bad
  // address, PermissionDenied below 1024 without the capability, Unavailable for a port in use;
  // each names the flag to change.
  Status start();
  // Stops serving; safe from any thread.
  void stop();
  // Until the endpoint's thread has returned.
  void wait();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  const EndpointStats& stats() const;

  struct Shared;

 private:
  void on_accept(core::TcpListener::Socket&& socket);

  core::LoopPool loop_;  // first: the listener and every session live on it
  std::shared_ptr<Shared> shared_;
  core::TcpListener listener_;
};

}  // namespace cucm::metrics
