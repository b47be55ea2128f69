// A TCP listening socket served by every loop of a server, in one of two ways:
//
// - shared (the default): the socket is bound once and each loop gets an acceptor on a duplicate
//   of its descriptor, so whichever loop is idle takes the next connection and keeps it (nginx's
//   workers share their listening sockets the same way). Every connection wakes every waiting
//   loop, and all but one of them find nothing to accept.
// - one socket per loop (Options::socket_per_loop): each loop listens on a socket of its own
//   bound with SO_REUSEPORT, and the kernel hands each connection to one of them by a hash of its
//   addresses. No wasted wake-ups, but a busy loop's connections wait for it. Suits a service
//   whose handlers never hold a loop long (HTTP), not one whose sessions are CPU-heavy (CAPF).
//   The address is first claimed by an ordinary bind without SO_REUSEPORT, so a second server on
//   the same port (another cucm-emu too) still fails to bind instead of silently taking half the
//   connections. Only a program that itself sets SO_REUSEPORT, as the same user, could join.
//
// A failed accept (out of file descriptors) leaves the connection queued and the socket readable;
// retrying at once would spin a core, so that loop pauses its accepts for kAcceptPause and the
// warning names what to raise.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.hpp"

namespace cucm::core {

// The error of a failed TcpListener::open, naming what to change: "<service>: cannot listen on
// TCP ADDRESS:PORT: <why> (<hint>)", the hint naming --<family>-port, --<family>-address and, when
// given, the flag that turns the service off. PermissionDenied for a low port, else Unavailable.
Error listen_error(const boost::system::error_code& ec, const std::string& service, const std::string& address,
                   std::uint16_t port, const std::string& family, const std::string& off_flag = "");

class TcpListener {
 public:
  // Each loop is run by one thread, so a connection's handlers need no strand: they all run on
  // the thread of the loop that accepted it.
  using Executor = boost::asio::io_context::executor_type;
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
  using OnAccept = std::function<void(Socket&& socket, const boost::asio::ip::tcp::endpoint& peer)>;

  struct Options {
    std::string service;           // "http", "capf": prefixes the warnings
    std::string limit_hint;        // what to raise when accepts fail, e.g. "ulimit -n"
    int backlog = 1024;
    bool no_delay = false;         // set on the listening socket: Linux copies it into every accepted one
    bool socket_per_loop = false;  // SO_REUSEPORT, a socket per loop (see above); ignored with one loop
    std::atomic<std::uint64_t>* accept_errors = nullptr;  // counted here when not null
  };

  static constexpr std::chrono::milliseconds kAcceptPause{100};

  // Every loop must be run by exactly one thread (core::LoopPool).
  TcpListener(std::vector<boost::asio::io_context*> loops, Options options);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // Opens, binds and listens; the error is the one bind or listen gave (the caller words it).
  boost::system::error_code open(const boost::asio::ip::tcp::endpoint& endpoint);
  // Starts accepting on every loop; `on_accept` runs on the loop that accepted.
  void start(OnAccept on_accept);
  // Closes every acceptor, each on its own loop. Let the loops finish before destroying.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 private:
  struct Slot;
  boost::system::error_code open_shared(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::system::error_code open_per_loop(const boost::asio::ip::tcp::endpoint& endpoint);
  void accept(Slot& slot);

  Options options_;
  OnAccept on_accept_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace cucm::core
