// Who holds a port: /proc/net lines parsed (and odd ones skipped), the holder of a socket this
// test binds itself found by pid, and the bind probe and low-port rights doctor relies on.
#include "core/port_owner.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/file_io.hpp"
#include "core/port_probe.hpp"

namespace cucm::core {
namespace {

const char* kTcpHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

TEST(ProcNet, ParsesIpv4AndIpv6Lines) {
  auto v4 = parse_proc_net_line(
      "   0: 0100007F:1B3A 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 48213 1 "
      "0000000000000000 100 0 0 10 0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->local_address, "127.0.0.1");
  EXPECT_EQ(v4->local_port, 6970);
  EXPECT_EQ(v4->state, kTcpListen);
  EXPECT_EQ(v4->uid, 1000u);
  EXPECT_EQ(v4->inode, 48213u);

  auto any = parse_proc_net_line(
      "  12: 00000000:0045 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9921 2 "
      "0000000000000000 0");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->local_address, "0.0.0.0");
  EXPECT_EQ(any->local_port, 69);
  EXPECT_EQ(any->state, 0x07);

  auto v6 = parse_proc_net_line(
      "   3: 00000000000000000000000001000000:0BC4 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000   998        0 77 1 0000000000000000 100 0 0 10 0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->local_address, "::1");
  EXPECT_EQ(v6->local_port, 3012);
  EXPECT_EQ(v6->uid, 998u);
  EXPECT_EQ(v6->inode, 77u);
}

TEST(ProcNet, SkipsTheHeaderAndLinesItCannotRead) {
  for (const char* odd : {"", "   ", kTcpHeader, "   0:", "   0: 0100007F:1B3A",
                          // address of 7 digits, port of 5, state of 3, a letter in the inode
                          "   0: 0100007:1B3A 00000000:0000 0A 0:0 0:0 0 1000 0 1 1",
                          "   0: 0100007F:1B3A0 00000000:0000 0A 0:0 0:0 0 1000 0 1 1",
                          "   0: 0100007F:1B3A 00000000:0000 0AA 0:0 0:0 0 1000 0 1 1",
                          "   0: 0100007F:1B3A 00000000:0000 0A 0:0 0:0 0 1000 0 1x 1",
                          "   0: 0100007F 00000000:0000 0A 0:0 0:0 0 1000 0 1 1",
                          "   0: ZZ00007F:1B3A 00000000:0000 0A 0:0 0:0 0 1000 0 1 1",
                          "   0: 0100007F:1B3A 00000000:0000 0A 0:0 0:0 0 -1 0 1 1",
                          "0 0100007F:1B3A 00000000:0000 0A 0:0 0:0 0 1000 0 1 1"}) {
    EXPECT_FALSE(parse_proc_net_line(odd)) << "'" << odd << "'";
  }
  std::string file = std::string(kTcpHeader) +
                     "   0: 0100007F:1B3A 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 5 1\n"
                     "garbage line\n"
                     "   1: 00000000:0D16 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 0 6 1";
  auto all = parse_proc_net(file);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].inode, 5u);
  EXPECT_EQ(all[1].local_port, 3350);
}

// A socket of this test, bound on loopback to a port the kernel picks; closed when it goes.
struct BoundSocket {
  FileHandle fd;
  std::uint16_t port = 0;
};

BoundSocket bind_loopback(int type, bool listen) {
  BoundSocket s{FileHandle(::socket(AF_INET, type | SOCK_CLOEXEC, 0)), 0};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  auto* sa = reinterpret_cast<sockaddr*>(&a);  // NOLINT: the socket API's own type
  EXPECT_EQ(::bind(s.fd.get(), sa, len), 0) << std::strerror(errno);
  if (listen) {
    EXPECT_EQ(::listen(s.fd.get(), 1), 0);
  }
  EXPECT_EQ(::getsockname(s.fd.get(), sa, &len), 0);
  s.port = ntohs(a.sin_port);
  return s;
}

std::string own_program() { return std::filesystem::read_symlink("/proc/self/exe").filename().string(); }

TEST(PortHolders, FindsThisProcessHoldingATcpListenerAndAUdpSocket) {
  for (Transport t : {Transport::Tcp, Transport::Udp}) {
    auto s = bind_loopback(t == Transport::Tcp ? SOCK_STREAM : SOCK_DGRAM, t == Transport::Tcp);
    auto holders = find_port_holders(t, s.port);
    ASSERT_TRUE(holders) << holders.error().message;
    ASSERT_EQ(holders->size(), 1u) << transport_name(t);
    const auto& h = holders->front();
    EXPECT_EQ(h.socket.local_address, "127.0.0.1");
    EXPECT_EQ(h.socket.uid, ::geteuid());
    ASSERT_TRUE(h.pid);
    EXPECT_EQ(*h.pid, ::getpid());
    EXPECT_EQ(h.program, own_program());
    EXPECT_EQ(probe_bind(t, "127.0.0.1", s.port).outcome, BindOutcome::InUse) << transport_name(t);
    EXPECT_EQ(probe_bind(t, "0.0.0.0", s.port).outcome, BindOutcome::InUse) << transport_name(t);
  }
}

TEST(PortHolders, ATcpSocketThatDoesNotListenHoldsNothing) {
  auto s = bind_loopback(SOCK_STREAM, false);
  auto holders = find_port_holders(Transport::Tcp, s.port);
  ASSERT_TRUE(holders);
  EXPECT_TRUE(holders->empty());
}

TEST(PortHolders, UnreadableProcIsAnErrorNamingTheFile) {
  auto holders = find_port_holders(Transport::Tcp, 80, "/nonexistent-proc");
  ASSERT_TRUE(holders);  // no /proc/net/tcp at all reads as no sockets (as a kernel without IPv6)
  EXPECT_TRUE(holders->empty());
  auto missing = read_proc_file("/nonexistent-proc/status");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent-proc/status"), std::string::npos);
}

TEST(BindProbe, SaysFreeForeignAndMalformed) {
  std::uint16_t port = 0;
  {
    auto s = bind_loopback(SOCK_STREAM, true);
    port = s.port;
  }
  EXPECT_EQ(probe_bind(Transport::Tcp, "127.0.0.1", port).outcome, BindOutcome::Free);
  EXPECT_EQ(probe_bind(Transport::Udp, "127.0.0.1", 0).outcome, BindOutcome::Free);
  auto v6 = probe_bind(Transport::Tcp, "::", 0);
  EXPECT_TRUE(v6.outcome == BindOutcome::Free || v6.outcome == BindOutcome::Failed) << v6.message;  // IPv6 may be off
  EXPECT_EQ(probe_bind(Transport::Tcp, "192.0.2.77", 0).outcome, BindOutcome::AddressNotHere);  // TEST-NET-1
  auto bad = probe_bind(Transport::Udp, "cucm.lab", 69);
  EXPECT_EQ(bad.outcome, BindOutcome::BadAddress);
  EXPECT_FALSE(bad.message.empty());
}

TEST(LowPorts, ReadsTheEffectiveCapabilities) {
  EXPECT_EQ(parse_cap_eff("Name:\tcucm-emu\nCapInh:\t0000000000000000\nCapEff:\t0000000000000400\nCapBnd:\t1\n"),
            0x400u);
  EXPECT_EQ(parse_cap_eff("CapEff: 000001ffffffffff"), 0x1ffffffffffu);
  EXPECT_FALSE(parse_cap_eff("CapPrm:\t0000000000000400\n"));
  EXPECT_FALSE(parse_cap_eff("CapEff:\t\n"));
  EXPECT_FALSE(parse_cap_eff("CapEff:\tzz\n"));

  LowPortRights none{false, 1024};
  EXPECT_FALSE(may_bind(none, 69));
  EXPECT_TRUE(may_bind(none, 1024));
  EXPECT_TRUE(may_bind(none, 0));
  EXPECT_TRUE(may_bind(LowPortRights{true, 1024}, 69));
  EXPECT_TRUE(may_bind(LowPortRights{false, 0}, 69));
  EXPECT_FALSE(may_bind(LowPortRights{false, std::nullopt}, 69));

  auto mine = low_port_rights();
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_EQ(may_bind(*mine, 69), probe_bind(Transport::Udp, "127.0.0.1", 69).outcome != BindOutcome::NotPermitted);
}

}  // namespace
}  // namespace cucm::core
