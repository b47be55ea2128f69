// Event loops and the listener they share: every loop accepts, a connection stays on the loop
// that accepted it, a taken port is an error, and stop() closes the port; with one listening
// socket per loop (SO_REUSEPORT) as with one shared socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "core/loop_pool.hpp"
#include "core/tcp_listener.hpp"

namespace cucm::core {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A blocking client connection to 127.0.0.1:port; -1 if refused.
int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads one byte with a 5 s limit: what the server wrote back, or -1.
int read_byte(int fd) {
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  unsigned char b = 0;
  return ::recv(fd, &b, 1, 0) == 1 ? b : -1;
}

TcpListener::Options test_options(bool per_loop = false) {
  TcpListener::Options o;
  o.service = "test";
  o.socket_per_loop = per_loop;
  return o;
}

TEST(LoopPool, EachLoopRunsOnItsOwnThreadUntilStopped) {
  LoopPool pool(3);
  pool.start("test-loop");
  std::mutex m;
  std::set<std::thread::id> seen;
  std::vector<std::future<void>> done;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    // Posted after a pause: a loop with no work yet must still be running.
    std::this_thread::sleep_for(20ms);
    asio::post(pool.at(i), [&, p] {
      std::lock_guard lock(m);
      seen.insert(std::this_thread::get_id());
      p->set_value();
    });
  }
  for (auto& f : done) ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.count(std::this_thread::get_id()), 0u);
  pool.stop();
  pool.join();
  EXPECT_TRUE(pool.threads().empty());
}

TEST(LoopRing, HandsOutLoopsInTurn) {
  LoopPool pool(2);
  LoopRing ring(pool.contexts());
  EXPECT_EQ(&ring.next(), &pool.at(0));
  EXPECT_EQ(&ring.next(), &pool.at(1));
  EXPECT_EQ(&ring.next(), &pool.at(0));
  EXPECT_EQ(&ring.first(), &pool.at(0));
}

class ListenerTest : public ::testing::Test {
 protected:
  // Answers each connection with the index of the loop that accepted it, then closes it.
  void listen(std::size_t loops, bool per_loop = false) {
    pool_ = std::make_unique<LoopPool>(loops);
    listener_ = std::make_unique<TcpListener>(pool_->contexts(), test_options(per_loop));
    ASSERT_FALSE(listener_->open(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)));
    port_ = listener_->local_endpoint().port();
    ASSERT_NE(port_, 0);
    listener_->start([this](TcpListener::Socket&& socket, const tcp::endpoint& peer) {
      EXPECT_TRUE(peer.address().is_loopback());
      unsigned char index = 0xff;
      for (std::size_t i = 0; i < pool_->size(); ++i) {
        if (&socket.get_executor().context() == &pool_->at(i)) index = static_cast<unsigned char>(i);
      }
      boost::system::error_code ec;
      asio::write(socket, asio::buffer(&index, 1), ec);
    });
    pool_->start("test-loop");
  }

  void TearDown() override {
    if (listener_) listener_->stop();
    if (pool_) {
      pool_->stop();
      pool_->join();
    }
    listener_.reset();
    pool_.reset();
  }

  // Holds loop `i` busy until the returned promise is set.
  std::shared_ptr<std::promise<void>> block(std::size_t i) {
    auto release = std::make_shared<std::promise<void>>();
    auto entered = std::make_shared<std::promise<void>>();
    asio::post(pool_->at(i), [release, entered] {
      entered->set_value();
      release->get_future().wait_for(10s);
    });
    entered->get_future().wait();
    return release;
  }

  std::unique_ptr<LoopPool> pool_;
  std::unique_ptr<TcpListener> listener_;
  std::uint16_t port_ = 0;
};

TEST_F(ListenerTest, AnIdleLoopTakesTheConnectionWhileAnotherIsBusy) {
  listen(2);
  for (std::size_t busy = 0; busy < 2; ++busy) {
    auto release = block(busy);
    for (int n = 0; n < 5; ++n) {
      int fd = connect_to(port_);
      ASSERT_GE(fd, 0);
      EXPECT_EQ(read_byte(fd), static_cast<int>(1 - busy)) << "loop " << busy << " is busy";
      ::close(fd);
    }
    release->set_value();
  }
}

// Counts, over `n` connections, how many each of two loops answered.
std::array<int, 2> answer_counts(std::uint16_t port, int n) {
  std::array<int, 2> by_loop{};
  for (int i = 0; i < n; ++i) {
    int fd = connect_to(port);
    EXPECT_GE(fd, 0);
    if (fd < 0) break;
    int loop = read_byte(fd);
    EXPECT_TRUE(loop == 0 || loop == 1) << loop;
    if (loop == 0 || loop == 1) ++by_loop[static_cast<std::size_t>(loop)];
    ::close(fd);
  }
  return by_loop;
}

TEST_F(ListenerTest, ManyConnectionsAllAnswered) {
  listen(2);
  auto by_loop = answer_counts(port_, 200);
  EXPECT_EQ(by_loop[0] + by_loop[1], 200);
}

TEST_F(ListenerTest, ASocketPerLoopSpreadsConnectionsOverEveryLoop) {
  listen(2, true);
  // The kernel picks a socket by a hash of the client's port: 200 connections all landing on
  // one loop would mean one socket is not listening.
  auto by_loop = answer_counts(port_, 200);
  EXPECT_EQ(by_loop[0] + by_loop[1], 200);
  EXPECT_GT(by_loop[0], 0);
  EXPECT_GT(by_loop[1], 0);
}

TEST_F(ListenerTest, ATakenPortIsAnErrorNotAShare) {
  for (bool first_per_loop : {false, true}) {
    listen(2, first_per_loop);
    for (bool second_per_loop : {false, true}) {
      LoopPool other(2);
      TcpListener second(other.contexts(), test_options(second_per_loop));
      auto ec = second.open(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
      EXPECT_EQ(ec, boost::system::errc::address_in_use)
          << ec.message() << " (first per loop " << first_per_loop << ", second " << second_per_loop << ")";
    }
    TearDown();
  }
}

TEST_F(ListenerTest, ASocketPerLoopStillRefusesAPortAnotherProgramListensOn) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  LoopPool pool(2);
  TcpListener listener(pool.contexts(), test_options(true));
  auto ec = listener.open(tcp::endpoint(asio::ip::make_address("127.0.0.1"), ntohs(a.sin_port)));
  EXPECT_EQ(ec, boost::system::errc::address_in_use) << ec.message();
  ::close(fd);
}

TEST_F(ListenerTest, StopClosesThePortOnEveryLoop) {
  for (bool per_loop : {false, true}) {
    listen(2, per_loop);
    int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    EXPECT_GE(read_byte(fd), 0);
    ::close(fd);
    listener_->stop();
    // The closes run on the loops: wait until the port refuses. With a socket per loop, every
    // one of them must be closed, so probe many times (different client ports, different hashes).
    int refused = 0;
    for (int i = 0; i < 300 && refused < 20; ++i) {
      int c = connect_to(port_);
      if (c < 0) {
        ++refused;
      } else {
        refused = 0;
        ::close(c);
        std::this_thread::sleep_for(10ms);
      }
    }
    EXPECT_EQ(refused, 20) << "per loop " << per_loop;
    TearDown();
  }
}

}  // namespace
}  // namespace cucm::core
