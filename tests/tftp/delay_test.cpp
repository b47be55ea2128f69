// tftp-delay against a real TftpServer on loopback (one loop, as `serve --threads 1`): each DATA
// block goes the fault's ms after the ACK that asks for it, duplicate ACKs meanwhile send nothing,
// the retransmission deadline does not run while a block waits, and another transfer on the same
// loop is served at once.
#include <poll.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/event_log.hpp"
#include "fault/store.hpp"
#include "tftp/client.hpp"
#include "tftp/packet.hpp"

namespace cucm::tftp {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

constexpr const char* kPhone = "SEP00AABBCC0D11";
constexpr std::chrono::milliseconds kDelay{800};
// The server's retransmission timeout, well under the delay: were its deadline running while a
// block waits, it would fire.
constexpr std::chrono::milliseconds kServerTimeout{250};

// One datagram, or 0 when none came within `wait` (0: what is already there).
std::size_t receive_within(udp::socket& s, std::array<std::uint8_t, 4096>& buf, udp::endpoint& from,
                           std::chrono::milliseconds wait) {
  pollfd pfd{s.native_handle(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(wait.count())) <= 0) return 0;
  boost::system::error_code ec;
  std::size_t n = s.receive_from(asio::buffer(buf), from, 0, ec);
  return ec ? 0 : n;
}

class TftpDelay : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cucm-tftp-delay-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    cluster::Config cfg;
    cfg.cache_bytes = 16u << 20;
    cfg.faults = true;
    auto c = cluster::Cluster::open(dir_, cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = std::move(*c);
    db::Device d;
    d.name = kPhone;
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore(cluster_->db()).add(d));
    auto sc = cluster::loopback_services(1);  // one loop: the delayed transfer and the other share it
    sc.http.reset();
    sc.https.reset();
    sc.capf.reset();
    sc.tvs.reset();
    sc.tftp->limits.default_timeout = kServerTimeout;
    services_.emplace(*cluster_, sc);
    auto st = services_->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  void TearDown() override {
    services_.reset();  // before the cluster it serves
    cluster_.reset();
    fs::remove_all(dir_);
  }

  Status arm_delay() {
    fault::ArmRequest r;
    r.fault = "tftp-delay";
    r.device = kPhone;
    r.count = 1;
    r.params = {"ms=" + std::to_string(kDelay.count())};
    CUCM_TRY(auto armed, fault::FaultStore(cluster_->db()).arm(r, std::chrono::system_clock::now()));
    cluster_->faults()->refresh();
    return Ok{};
  }

  fs::path dir_;
  std::unique_ptr<cluster::Cluster> cluster_;
  std::optional<cluster::Services> services_;
};

// Over 60 lines: one lock-step transfer driven by hand, its checks beside the packets they are
// about.
TEST_F(TftpDelay, EachBlockWaitsDuplicateAcksSendNothingAndAnotherTransferGoesOn) {
  const std::string name = std::string("ITL") + kPhone + ".tlv";
  auto file = cluster_->catalog().fetch(name);  // built now: the RRQ finds it in the cache
  ASSERT_TRUE(file) << file.error().message;
  const Bytes& want = *file->bytes;
  // Three blocks, the last one short: enough to see each wait, and the transfer stays short.
  std::size_t blksize = want.size() / 3 + 1;
  ASSERT_GE(blksize, 8u);
  ASSERT_TRUE(arm_delay());

  asio::io_context io;
  udp::socket a(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  udp::endpoint server = services_->tftp()->local_endpoint();
  udp::endpoint tid, from;
  std::array<std::uint8_t, 4096> buf{};
  a.send_to(asio::buffer(build_request({Opcode::Rrq, name, "octet", {{"blksize", std::to_string(blksize)}}})), server);
  auto asked = Clock::now();
  std::size_t n = receive_within(a, buf, tid, std::chrono::seconds(5));
  ASSERT_GE(n, 2u);
  ASSERT_EQ(buf[1], static_cast<std::uint8_t>(Opcode::Oack));
  EXPECT_LT(Clock::now() - asked, kDelay) << "the OACK is no DATA: it goes at once";

  std::map<std::uint16_t, int> arrivals;  // how many times each block came
  Bytes got;
  std::uint16_t next = 1;
  int duplicate_acks = 0;
  bool other_checked = false;
  auto acked = Clock::now();
  a.send_to(asio::buffer(build_ack(0)), tid);
  for (auto give_up = Clock::now() + std::chrono::seconds(30); Clock::now() < give_up;) {
    if (!other_checked) {
      // While DATA 1 waits: another transfer of the same loop (the fault is used up) completes
      // at once, and nothing of ours has come yet.
      other_checked = true;
      auto started = Clock::now();
      auto other = tftp_get(server, name, GetOptions{});
      ASSERT_TRUE(other) << other.error().message;
      EXPECT_EQ(other->data, want);
      EXPECT_EQ(other->timeouts, 0u);
      EXPECT_LT(Clock::now() - started, kDelay);
      EXPECT_EQ(receive_within(a, buf, from, std::chrono::milliseconds(0)), 0u) << "DATA 1 came before its delay";
    }
    n = receive_within(a, buf, from, std::chrono::milliseconds(100));
    if (n == 0) {
      // As a client whose timeout is shorter than the delay: the last ACK again.
      a.send_to(asio::buffer(build_ack(static_cast<std::uint16_t>(next - 1))), tid);
      ++duplicate_acks;
      continue;
    }
    ASSERT_EQ(from, tid);
    auto p = parse_packet(ByteView(buf).first(n));
    ASSERT_TRUE(p && p->opcode == Opcode::Data);
    ++arrivals[p->block];
    if (p->block != next) continue;  // counted: a second arrival fails below
    EXPECT_GE(Clock::now() - acked, kDelay) << "block " << next;
    got.insert(got.end(), p->data.begin(), p->data.end());
    acked = Clock::now();
    a.send_to(asio::buffer(build_ack(next)), tid);
    if (p->data.size() < blksize) break;
    ++next;
  }
  EXPECT_EQ(got, want);
  ASSERT_TRUE(services_->wait_transfers(std::chrono::seconds(10)));
  // Whatever the server sent is in our socket by now (loopback): each block exactly once.
  for (std::size_t m; (m = receive_within(a, buf, from, std::chrono::milliseconds(0))) > 0;) {
    if (auto p = parse_packet(ByteView(buf).first(m)); p && p->opcode == Opcode::Data) ++arrivals[p->block];
  }
  EXPECT_EQ(arrivals, (std::map<std::uint16_t, int>{{1, 1}, {2, 1}, {3, 1}}));
  EXPECT_GE(duplicate_acks, 3) << "each wait saw our duplicate ACKs";
  const TftpStats& st = services_->tftp()->stats();
  EXPECT_EQ(st.completed, 2u);
  EXPECT_EQ(st.retransmitted, 0u) << "the retransmission deadline ran while a block waited";
  cluster_->events()->flush();
  auto events = db::EventLog(cluster_->db()).tail(kPhone, 50);
  ASSERT_TRUE(events) << events.error().message;
  int injected = 0;
  for (const auto& e : *events) injected += e.result.find("injected tftp-delay") != std::string::npos;
  EXPECT_EQ(injected, 1);
}

}  // namespace
}  // namespace cucm::tftp
