// The TFTP and HTTP servers, started by cluster::Services as serve starts them, on ephemeral
// loopback ports, driven by our client and by real third-party clients (tftp-hpa, curl): byte-identical downloads of every catalog kind, loss,
// concurrency, refusals, and HTTP keep-alive, ranges and deadlines.
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "cluster/services.hpp"
#include "core/file_io.hpp"
#include "core/log.hpp"
#include "db/device_store.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "tftp/client.hpp"
#include "tftp/packet.hpp"
#include "tftp/transfer.hpp"
#include "tests/support/descriptor_shortage.hpp"
#include "tests/support/shell.hpp"

namespace cucm::tftp {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;
using asio::ip::udp;

using test::Run;
using test::run;

constexpr const char* kPhone = "SEPA45630BBFA40";
constexpr std::uint64_t kBigFile = (64u << 20) + 4096 * 1000;  // past the whole-file read cap

// One datagram, or 0 when none came within `wait`: a test that waits for the server cannot hang.
std::size_t receive_within(udp::socket& s, std::array<std::uint8_t, 2048>& buf, udp::endpoint& from,
                           std::chrono::milliseconds wait) {
  pollfd pfd{s.native_handle(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(wait.count())) <= 0) return 0;
  boost::system::error_code ec;
  std::size_t n = s.receive_from(asio::buffer(buf), from, 0, ec);
  return ec ? 0 : n;
}

// This process's resident memory: the server runs in it.
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

class Servers : public ::testing::Test {
 public:
  static std::vector<std::string> lines() { return lines_->last_formatted(); }

 protected:
  static void SetUpTestSuite() {
    ::signal(SIGPIPE, SIG_IGN);  // as the executable does: a reset mid-sendfile costs only its connection
    dir_ = fs::temp_directory_path() / ("cucm-servers-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    cluster::Config cfg;
    cfg.cache_bytes = 64u << 20;
    cfg.build_workers = 2;
    auto c = cluster::Cluster::open(dir_, cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = c->release();
    db::Device d;
    d.name = kPhone;
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore(db()).add(d));
    // The phone's key is on record, so every variant exists.
    auto key = signer::generate_key({});
    signer::CertRequest req;
    req.subject = {{"CN", kPhone}};
    req.is_ca = false;
    auto cert = signer::make_self_signed(**key, req);
    db::RecordedCert rc{"MIC", signer::cert_der(**cert), *signer::public_key_spki_der(**key),
                        signer::cert_md5_hex(**cert), "", "", "", ""};
    ASSERT_TRUE(db::DeviceStore(db()).record_certificate(kPhone, rc));
    fs::create_directories(dir_ / "static");
    Bytes load(2'000'000);
    std::mt19937 rng(7);
    for (auto& b : load) b = static_cast<std::uint8_t>(rng());
    ASSERT_TRUE(write_file_atomic(dir_ / "static" / "load.bin", load));
    ASSERT_TRUE(write_file_atomic(dir_ / "static" / "exact512.bin", Bytes(1024, 'x')));
    ASSERT_TRUE(write_file_atomic(dir_ / "static" / "loss.bin", Bytes(load.begin(), load.begin() + 150'000)));
    // Under the size HTTP sends from memory, and over what one send into a fresh socket takes.
    ASSERT_TRUE(write_file_atomic(dir_ / "static" / "mem60k.bin", Bytes(load.begin() + 7, load.begin() + 7 + 60'000)));
    // Sparse, so it costs no disk: over the 64 MiB that whole-file reads accept.
    { std::ofstream(dir_ / "static" / "big.bin"); }
    fs::resize_file(dir_ / "static" / "big.bin", kBigFile);

    // Every line the servers log, to count them.
    lines_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10'000);
    for (const char* name : {"tftp", "http"}) log::get(name)->sinks().push_back(lines_);

    // Two loops, as `serve --threads 2` runs: connections and transfers land on both.
    auto sc = cluster::loopback_services(2);
    sc.capf.reset();
    sc.tftp->client_rate = 5000;
    sc.tftp->max_per_client = 1000;  // every test client comes from 127.0.0.1
    sc.tftp->limits.default_timeout = std::chrono::milliseconds(200);
    sc.tftp->limits.max_retries = 10;
    sc.http->io_timeout = std::chrono::milliseconds(500);
    sc.thread_name = "test-loop";
    services_ = new cluster::Services(*cluster_, sc);
    auto st = services_->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  static void TearDownTestSuite() {
    delete services_;
    delete cluster_;
    fs::remove_all(dir_);
  }

  static db::Database& db() { return cluster_->db(); }
  static const TftpServer* tftp_() { return services_->tftp(); }
  static const http::HttpServer* http_() { return services_->http(); }
  static udp::endpoint tftp_ep() { return tftp_()->local_endpoint(); }
  static std::string tftp_port() { return std::to_string(tftp_()->local_endpoint().port()); }
  static std::string http_url(const std::string& name) {
    return "http://127.0.0.1:" + std::to_string(http_()->local_endpoint().port()) + "/" + name;
  }
  static Bytes expected(const std::string& name) {
    auto f = cluster_->catalog().fetch(name);
    EXPECT_TRUE(f) << name << ": " << (f ? "" : f.error().message);
    return f ? *f->bytes : Bytes{};
  }
  fs::path out(const std::string& name) {
    auto d = dir_ / "out" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(d);
    return d / name;
  }

  static inline fs::path dir_;
  static inline cluster::Cluster* cluster_ = nullptr;
  static inline cluster::Services* services_ = nullptr;
  static inline std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> lines_;
};

std::vector<std::string> logged_lines(const std::string& containing) {
  std::vector<std::string> out;
  for (auto& line : Servers::lines()) {
    if (line.find(containing) != std::string::npos) out.push_back(std::move(line));
  }
  return out;
}

const char* const kNames[] = {"ITLFile.tlv", "ITLSEPA45630BBFA40.tlv", "SEPA45630BBFA40.cnf.xml.sgn",
                              "SEPA45630BBFA40.cnf.xml.enc.sgn", "XMLDefault.cnf.xml", "load.bin", "exact512.bin"};

TEST_F(Servers, TftpHpaAndCurlDownloadEveryKindByteIdentical) {
  for (const char* name : kNames) {
    Bytes want = expected(name);
    auto hpa = out(std::string("hpa-") + name);
    auto r = run("cd " + hpa.parent_path().string() + " && tftp -m binary 127.0.0.1 " + tftp_port() + " -c get " + name +
                 " " + hpa.filename().string());
    ASSERT_EQ(r.rc, 0) << r.out;
    EXPECT_EQ(*read_file(hpa), want) << "tftp-hpa " << name;
    auto ct = out(std::string("curl-tftp-") + name);
    r = run("curl -sS --tftp-blksize 1428 -o " + ct.string() + " tftp://127.0.0.1:" + tftp_port() + "/" + name);
    ASSERT_EQ(r.rc, 0) << r.out;
    EXPECT_EQ(*read_file(ct), want) << "curl tftp " << name;
    auto ch = out(std::string("curl-http-") + name);
    r = run("curl -sS -f -o " + ch.string() + " " + http_url(name));
    ASSERT_EQ(r.rc, 0) << r.out;
    EXPECT_EQ(*read_file(ch), want) << "curl http " << name;
  }
}

TEST_F(Servers, OurClientWithOptionsWindowsAndNetascii) {
  GetOptions o;
  o.blksize = 1428;
  o.windowsize = 8;
  o.ask_tsize = true;
  auto r = tftp_get(tftp_ep(), "load.bin", o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->data, expected("load.bin"));
  EXPECT_EQ(r->tsize, 2'000'000u);
  EXPECT_EQ(r->blksize, 1428u);
  EXPECT_EQ(r->windowsize, 8);
  EXPECT_NE(r->server_tid.port(), tftp_ep().port());  // a fresh TID per transfer
  GetOptions a;
  a.mode = "netascii";
  auto x = tftp_get(tftp_ep(), "XMLDefault.cnf.xml", a);
  ASSERT_TRUE(x);
  std::string text(as_chars(x->data));
  EXPECT_NE(text.find("\r\n"), std::string::npos);
}

// A static file over the size the memory cache takes (and over the 64 MiB whole-file reads
// accept) streams from its descriptor block by block.
TEST_F(Servers, TftpStreamsAStaticFileLargerThanMemoryReads) {
  GetOptions o;
  o.blksize = 65464;
  o.ask_tsize = true;
  auto r = tftp_get(tftp_ep(), "big.bin", o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tsize, kBigFile);
  ASSERT_EQ(r->data.size(), kBigFile);
  EXPECT_EQ(std::count(r->data.begin(), r->data.end(), 0), static_cast<std::ptrdiff_t>(kBigFile));  // sparse: zeros
}

TEST_F(Servers, FivePercentLossStillCompletes) {
  for (std::uint16_t window : {std::uint16_t{0}, std::uint16_t{4}}) {
    GetOptions o;
    o.drop_rate = 0.05;
    o.seed = 42 + window;
    o.windowsize = window;
    o.blksize = 1024;
    o.timeout = std::chrono::milliseconds(250);
    o.retries = 20;
    o.linger = std::chrono::milliseconds(300);
    auto r = tftp_get(tftp_ep(), "loss.bin", o);  // 147 blocks: a few seconds of timeouts
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->data, expected("loss.bin"));
    EXPECT_GT(r->dropped, 3u);  // loss really happened
  }
}

TEST_F(Servers, TwoHundredConcurrentTransfersComplete) {
  constexpr int kClients = 200;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(kClients);
  Bytes want = expected("SEPA45630BBFA40.cnf.xml.enc.sgn");
  Bytes want_load = expected("load.bin");
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      GetOptions o;
      o.timeout = std::chrono::milliseconds(1000);
      o.retries = 10;
      const char* name = i % 10 == 0 ? "load.bin" : "SEPA45630BBFA40.cnf.xml.enc.sgn";
      if (i % 10 == 0) o.blksize = 1428;
      auto r = tftp_get(tftp_ep(), name, o);
      if (r && r->data == (i % 10 == 0 ? want_load : want)) ++ok;
      else errors[static_cast<std::size_t>(i)] = r ? "wrong bytes" : r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e;
  EXPECT_EQ(ok.load(), kClients);
}

TEST_F(Servers, RefusalsWrqTraversalUnknownAndWrongTid) {
  auto missing = tftp_get(tftp_ep(), "SEP000000000000.cnf.xml.sgn", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
  for (const char* bad : {"../cucm.db", "/etc/passwd", "a\\b", "static/../x", "x\x01y"}) {
    auto r = tftp_get(tftp_ep(), bad, {});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::PermissionDenied) << bad << ": " << r.error().message;
  }
  auto put = run("tftp 127.0.0.1 " + tftp_port() + " -c put /etc/hostname hostname");
  EXPECT_NE(put.out.find("Error code 2"), std::string::npos) << put.out;

  // A foreign TID gets error 5 and the transfer goes on.
  asio::io_context io;
  udp::socket a(io, udp::endpoint(udp::v4(), 0)), b(io, udp::endpoint(udp::v4(), 0));
  a.send_to(asio::buffer(build_request({Opcode::Rrq, "ITLFile.tlv", "octet", {}})), tftp_ep());
  std::array<std::uint8_t, 1024> buf{};
  udp::endpoint tid;
  std::size_t n = a.receive_from(asio::buffer(buf), tid);
  ASSERT_GE(n, 4u);
  EXPECT_EQ(buf[1], 3);  // DATA 1
  b.send_to(asio::buffer(build_ack(1)), tid);
  udp::endpoint from;
  n = b.receive_from(asio::buffer(buf), from);
  auto err = parse_packet(ByteView(buf.data(), n));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->error, ErrorCode::UnknownTid);
  a.send_to(asio::buffer(build_ack(1)), tid);
  n = a.receive_from(asio::buffer(buf), from);
  auto next = parse_packet(ByteView(buf.data(), n));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->opcode, Opcode::Data);
  EXPECT_EQ(next->block, 2);
  a.send_to(asio::buffer(build_error(ErrorCode::Undefined, "test done")), tid);
}

TEST_F(Servers, HttpHeadersKeepAliveRangesAndErrors) {
  auto h = run("curl -sS -D - -o /dev/null " + http_url("SEPA45630BBFA40.cnf.xml.sgn"));
  EXPECT_NE(h.out.find("HTTP/1.1 200 OK"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("Cache-Control: no-store"), std::string::npos);
  EXPECT_NE(h.out.find("Content-Type: */*"), std::string::npos);
  EXPECT_NE(h.out.find("Content-Length: " + std::to_string(expected("SEPA45630BBFA40.cnf.xml.sgn").size())), std::string::npos);
  auto head = run("curl -sS -I " + http_url("load.bin"));
  EXPECT_NE(head.out.find("Content-Length: 2000000"), std::string::npos) << head.out;
  EXPECT_NE(head.out.find("Accept-Ranges: bytes"), std::string::npos);
  auto range = out("range.bin");
  auto rg = run("curl -sS -r 1000-1999 -o " + range.string() + " -w '%{http_code}' " + http_url("load.bin"));
  EXPECT_EQ(rg.out, "206");
  Bytes all = expected("load.bin");
  EXPECT_EQ(*read_file(range), Bytes(all.begin() + 1000, all.begin() + 2000));
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' -r 5000000- " + http_url("load.bin")).out, "416");
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + http_url("nope.bin")).out, "404");
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + http_url("SEP000000000000.cnf.xml.sgn")).out, "404");
  EXPECT_EQ(run("curl -s --path-as-is -o /dev/null -w '%{http_code}' " + http_url("../cucm.db")).out, "403");
  EXPECT_EQ(run("curl -s -X POST -o /dev/null -w '%{http_code}' " + http_url("ITLFile.tlv")).out, "405");
  // Two requests, one connection.
  auto ka = run("curl -sv -o /dev/null -o /dev/null " + http_url("ITLFile.tlv") + " " + http_url("XMLDefault.cnf.xml"));
  EXPECT_NE(ka.out.find("Re-using existing connection"), std::string::npos) << ka.out;
}

// Static files are streamed (sendfile), so their size is not bounded by memory, and a client that
// stops reading one is cut off after the deadline while others are served.
TEST_F(Servers, HttpStreamsLargeStaticFilesAndCutsOffStalledReaders) {
  EXPECT_EQ(run("curl -sS -o /dev/null -w '%{http_code} %{size_download}' " + http_url("big.bin")).out,
            "200 " + std::to_string(kBigFile));
  auto tail = out("tail.bin");
  EXPECT_EQ(run("curl -sS -r " + std::to_string(kBigFile - 10) + "- -o " + tail.string() + " -w '%{http_code}' " +
                http_url("big.bin")).out, "206");
  EXPECT_EQ(*read_file(tail), Bytes(10, 0));

  asio::io_context io;
  asio::ip::tcp::socket stalled(io);
  stalled.connect(http_()->local_endpoint());
  asio::write(stalled, asio::buffer(std::string("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")));
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + http_url("ITLFile.tlv")).out, "200");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // three deadlines without reading
  // What was already in the socket buffers arrives, then the end: not the whole file.
  std::size_t got = 0;
  boost::system::error_code ec;
  std::vector<char> buf(1 << 20);
  auto t0 = std::chrono::steady_clock::now();
  while (!ec && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) got += stalled.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_LT(got, kBigFile);
}

// "Connection: close": the server closes as soon as the response is queued, and the client still
// reads all of it and then a clean end (FIN), not a reset, even when it reads slowly. Each way a
// response leaves: sendfile (load.bin, loss.bin), from memory in one write (a config, a small
// static file), and from memory in more than one (mem60k.bin, when the socket takes it in parts).
TEST_F(Servers, HttpConnectionCloseDeliversTheWholeResponseThenEof) {
  for (std::string name : {"load.bin", "loss.bin", "SEPA45630BBFA40.cnf.xml.sgn", "exact512.bin", "mem60k.bin"}) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect(http_()->local_endpoint());
    asio::write(s, asio::buffer("GET /" + name + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the server has long closed its end
    std::string got;
    boost::system::error_code ec;
    std::array<char, 4096> buf{};
    while (!ec) got.append(buf.data(), s.read_some(asio::buffer(buf), ec));
    EXPECT_EQ(ec, asio::error::eof) << name << ": " << ec.message();
    auto body_at = got.find("\r\n\r\n");
    ASSERT_NE(body_at, std::string::npos) << name;
    EXPECT_NE(got.find("Connection: close"), std::string::npos) << got.substr(0, body_at);
    Bytes want = expected(name);
    EXPECT_EQ(got.substr(body_at + 4), std::string(want.begin(), want.end())) << name;
  }
}

// A client that resets the connection in the middle of a file: sendfile gets EPIPE (not a
// SIGPIPE that would end the process), and the next client is served.
TEST_F(Servers, HttpClientResettingMidFileLeavesTheServerUp) {
  for (int i = 0; i < 20; ++i) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect(http_()->local_endpoint());
    asio::write(s, asio::buffer(std::string("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::array<char, 1000> some{};
    boost::system::error_code ec;
    s.read_some(asio::buffer(some), ec);
    s.set_option(asio::socket_base::linger(true, 0));  // close sends RST
    s.close();
  }
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + http_url("ITLFile.tlv")).out, "200");
}

// Out of file descriptors, the acceptor pauses instead of spinning on a listening socket that
// stays readable, and serves the queued connections once descriptors are free again.
TEST_F(Servers, HttpOutOfDescriptorsPausesAcceptsAndRecovers) {
  if (test::kSanitized) GTEST_SKIP() << "sanitizer runtimes need descriptors of their own";
  asio::io_context io;
  auto clients = test::open_clients(io, 12);
  auto errors_before = http_()->stats().accept_errors.load();
  auto shortage = test::run_out_of_descriptors(clients, http_()->local_endpoint(), 2, std::chrono::milliseconds(500));
  ASSERT_TRUE(shortage.ok);
  EXPECT_GT(http_()->stats().accept_errors.load(), errors_before);  // it did run out
  EXPECT_LT(shortage.cpu_seconds, 0.25);  // a spinning acceptor burns the whole 0.5 s

  // Once descriptors are back, the connections still queued are accepted and served. Those
  // accepted before the wait may have been closed meanwhile for idleness (the 500 ms deadline).
  std::string request = "GET /ITLFile.tlv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::vector<std::array<char, 64>> replies(clients.size());
  int ok = 0, closed = 0;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    boost::system::error_code ec;
    asio::write(clients[i], asio::buffer(request), ec);
    clients[i].async_read_some(asio::buffer(replies[i]), [&, i](boost::system::error_code rec, std::size_t n) {
      if (!rec && std::string_view(replies[i].data(), n).starts_with("HTTP/1.1 200")) ++ok;
      if (rec == asio::error::eof || rec == asio::error::connection_reset) ++closed;
    });
  }
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(ok + closed, static_cast<int>(clients.size()));
  EXPECT_GE(ok, 4);  // only a few (room for 2 descriptors) were accepted before the limit came back
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + http_url("ITLFile.tlv")).out, "200");
}

TEST_F(Servers, SilentAndGarbageHttpClientsDoNotBlockOthers) {
  asio::io_context io;
  asio::ip::tcp::socket silent(io), garbage(io);
  silent.connect(http_()->local_endpoint());
  garbage.connect(http_()->local_endpoint());
  asio::write(garbage, asio::buffer(std::string("\x01\x02 not http at all\r\n\r\n")));
  // Others are served meanwhile.
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + http_url("ITLFile.tlv")).out, "200");
  std::string reply;
  reply.resize(512);
  boost::system::error_code ec;
  std::size_t n = garbage.read_some(asio::buffer(reply), ec);
  EXPECT_NE(reply.substr(0, n).find("400"), std::string::npos) << reply.substr(0, n);
  // The silent client is closed after the 500 ms deadline.
  auto t0 = std::chrono::steady_clock::now();
  std::array<char, 16> one{};
  silent.read_some(asio::buffer(one), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

// Issue 16, item 10: the connection cap was global, so one address could fill it. Of 205
// keep-alive connections from 127.0.0.2 exactly the per-address cap (200) are served and the rest
// closed unanswered, while a connection from 127.0.0.1 made at the same time is served.
TEST_F(Servers, OneAddressCannotTakeEveryHttpConnection) {
  const std::size_t cap = 200, extra = 5;
  asio::io_context io;
  struct Client {
    asio::ip::tcp::socket socket;
    std::string reply;
  };
  std::vector<std::unique_ptr<Client>> clients;
  const std::string request = "GET /ITLFile.tlv HTTP/1.1\r\nHost: t\r\n\r\n";
  auto start = [&](const char* from) {
    auto c = std::make_unique<Client>(Client{asio::ip::tcp::socket(io), {}});
    c->socket.open(asio::ip::tcp::v4());
    c->socket.bind(asio::ip::tcp::endpoint(asio::ip::make_address(from), 0));
    c->socket.connect(http_()->local_endpoint());
    Client* p = c.get();
    asio::async_write(p->socket, asio::buffer(request), [p](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      // The status line is enough: a refused connection is closed before it gets one.
      asio::async_read_until(p->socket, asio::dynamic_buffer(p->reply), "\r\n", [](boost::system::error_code, std::size_t) {});
    });
    clients.push_back(std::move(c));
  };
  for (std::size_t i = 0; i < cap + extra; ++i) start("127.0.0.2");
  start("127.0.0.1");
  io.run();  // every client has its status line, or saw its connection closed
  std::size_t served = 0;
  for (std::size_t i = 0; i < cap + extra; ++i) served += clients[i]->reply.starts_with("HTTP/1.1 200");
  EXPECT_EQ(served, cap);
  EXPECT_TRUE(clients.back()->reply.starts_with("HTTP/1.1 200")) << clients.back()->reply;
}

// Deadlines move with activity: a keep-alive connection asking every 150 ms stays open for
// three times the 500 ms timeout, then is closed once it falls silent, not before the timeout.
TEST_F(Servers, HttpKeepAliveStaysOpenWhileActiveAndClosesWhenSilent) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect(http_()->local_endpoint());
  const std::string request = "HEAD /ITLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n";
  std::array<char, 2048> buf{};
  boost::system::error_code ec;
  auto start = std::chrono::steady_clock::now();
  int answered = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500)) {
    asio::write(s, asio::buffer(request), ec);
    ASSERT_FALSE(ec) << "request " << answered << ": " << ec.message();
    std::size_t n = s.read_some(asio::buffer(buf), ec);  // a HEAD answer fits one read on loopback
    ASSERT_FALSE(ec) << "after " << answered << " answers: " << ec.message();
    ASSERT_NE(std::string_view(buf.data(), n).find("200 OK"), std::string_view::npos);
    ++answered;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  EXPECT_GE(answered, 5);
  auto silent = std::chrono::steady_clock::now();
  s.read_some(asio::buffer(buf), ec);
  auto waited = std::chrono::steady_clock::now() - silent;
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_GE(waited, std::chrono::milliseconds(300));  // 500 ms from the last answer, less the 150 ms slept
  EXPECT_LT(waited, std::chrono::seconds(3));
}

// A transfer given up after its retries says so to the client with an ERROR, instead of going
// silent (the suite's servers retry 10 times at 200 ms).
TEST_F(Servers, ATransferGivenUpSendsAnError) {
  asio::io_context io;
  udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Bytes rrq = build_request({Opcode::Rrq, "ITLFile.tlv", "octet", {}});
  s.send_to(asio::buffer(rrq), tftp_ep());
  std::array<std::uint8_t, 2048> buf{};
  udp::endpoint from;
  bool error_seen = false;
  ::timeval tv{5, 0};  // each receive waits at most 5 s: the test cannot hang
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (int i = 0; i < 40 && !error_seen; ++i) {  // DATA 1 and its retransmissions, never acknowledged
    boost::system::error_code ec;
    std::size_t n = s.receive_from(asio::buffer(buf), from, 0, ec);
    if (ec) break;
    auto p = parse_packet(ByteView(buf).first(n));
    ASSERT_TRUE(p);
    error_seen = p->opcode == Opcode::Error;
    if (error_seen) {
      EXPECT_NE(p->message.find("timed out"), std::string::npos) << p->message;
    }
  }
  EXPECT_TRUE(error_seen);
}

// Issue 16: a refused name was logged whole (an HTTP path up to 8 KB) once per request, and
// written as an event per request. From one client, a flood of them is now at most five lines a
// minute, each cut to 128 characters, and ten events a second plus a count.
TEST_F(Servers, RefusedNamesFloodingFromOneClientAreLoggedBoundedAndAFew) {
  auto events = [] {
    cluster_->events()->flush();
    auto s = db().prepare("SELECT count(*) FROM event WHERE what IN ('RRQ (unsafe name)', 'GET (unsafe path)')");
    return s && *s->step() ? s->int64(0) : -1;
  };
  std::size_t tftp_before = logged_lines("refused unsafe file name").size();
  std::size_t http_before = logged_lines("refused unsafe path").size();
  std::int64_t events_before = events();
  auto started = std::chrono::steady_clock::now();
  constexpr int kFlood = 200;
  asio::io_context io;
  udp::socket sock(io, udp::endpoint(udp::v4(), 0));
  struct timeval tv{2, 0};
  ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::array<std::uint8_t, 1024> buf{};
  for (int i = 0; i < kFlood; ++i) {
    sock.send_to(asio::buffer(build_request({Opcode::Rrq, "../" + std::string(400, 'x') + std::to_string(i), "octet", {}})),
                 tftp_ep());
    udp::endpoint from;
    boost::system::error_code ec;
    sock.receive_from(asio::buffer(buf), from, 0, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  asio::ip::tcp::endpoint http_ep(asio::ip::make_address("127.0.0.1"), http_()->local_endpoint().port());
  std::string request = "GET /../" + std::string(4000, 'A') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < kFlood; ++i) {
    asio::ip::tcp::socket c(io);
    c.connect(http_ep);
    asio::write(c, asio::buffer(request));
    std::string reply;
    boost::system::error_code ec;
    asio::read(c, asio::dynamic_buffer(reply), ec);  // to EOF
    ASSERT_NE(reply.find("403"), std::string::npos) << reply;
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  auto tftp_lines = logged_lines("refused unsafe file name");
  auto http_lines = logged_lines("refused unsafe path");
  EXPECT_LE(tftp_lines.size() - tftp_before, 5u);
  EXPECT_LE(http_lines.size() - http_before, 5u);
  for (const auto* all : {&tftp_lines, &http_lines}) {
    for (const auto& line : *all) EXPECT_LE(line.size(), 300u) << line;
  }
  // Ten a second and per kind of refusal, plus the counts of the windows that ended.
  EXPECT_LE(events() - events_before, 2 * 10 * (seconds + 2)) << seconds << " s";
  EXPECT_GE(cluster_->events()->suppressed(), 100u);
}

TEST_F(Servers, RequestsAreLoggedAsEvents) {
  ASSERT_TRUE(tftp_get(tftp_ep(), "ITLSEPA45630BBFA40.tlv", {}));
  // The writer flushes at least every 200 ms.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto s = db().prepare("SELECT count(*) FROM event WHERE service = 'tftp' AND device = ?1 AND what LIKE 'RRQ ITLSEP%'");
  ASSERT_TRUE(s);
  s->bind(1, std::string_view(kPhone));
  ASSERT_TRUE(*s->step());
  EXPECT_GE(s->int64(0), 1);
}

}  // namespace
}  // namespace cucm::tftp

namespace cucm::tftp {
namespace {

// A second server with tight limits: a burst from one client is shed with "server busy", never
// queued, and the IPv6 loopback works too.
TEST_F(Servers, FloodIsShedAndIpv6Works) {
  cluster::ServicesConfig sc;
  sc.tftp.emplace();
  sc.tftp->address = "::1";
  sc.tftp->port = 0;
  sc.tftp->client_rate = 3;  // a burst of 3, then 3 per second
  cluster::Services limited_services(*cluster_, sc);  // loops of its own, beside the suite's
  ASSERT_TRUE(limited_services.start());
  const TftpServer& limited = *limited_services.tftp();
  udp::endpoint ep(asio::ip::make_address("::1"), limited.local_endpoint().port());
  int ok = 0, busy = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = tftp_get(ep, "ITLFile.tlv", {});
    if (r) ++ok;
    else if (r.error().message.find("Server busy") != std::string::npos) ++busy;
  }
  EXPECT_GE(ok, 3);
  EXPECT_GE(busy, 3);
  EXPECT_GE(limited.stats().refused.load(), 3u);
}

// Issue 16, item 3: one address sent RRQs asking `timeout 255` as fast as the rate allowed and held
// every slot for minutes. Now it meets its own cap (at most half the server's) with slots to spare
// for another client, its timeout is ignored, and its silent transfers are given up on within the
// server's own timeout x retries, each with an ERROR.
TEST_F(Servers, OneAddressFloodingLongTimeoutsLeavesSlotsForOthers) {
  cluster::ServicesConfig sc;
  sc.tftp.emplace();
  sc.tftp->address = "127.0.0.1";
  sc.tftp->port = 0;
  sc.tftp->max_transfers = 64;  // one address may hold 32: the default cap, and half of this
  sc.tftp->limits.default_timeout = std::chrono::milliseconds(500);
  sc.tftp->limits.max_retries = 2;
  cluster::Services services(*cluster_, sc);
  ASSERT_TRUE(services.start());
  const TftpServer& server = *services.tftp();
  udp::endpoint ep = server.local_endpoint();

  asio::io_context io;
  udp::socket flood(io, udp::endpoint(asio::ip::make_address("127.0.0.2"), 0));  // another loopback address
  constexpr int kFlood = 100;
  Bytes rrq = build_request({Opcode::Rrq, "ITLFile.tlv", "octet", {{"timeout", "255"}}});
  for (int i = 0; i < kFlood; ++i) flood.send_to(asio::buffer(rrq), ep);
  // Every RRQ is answered: DATA 1 (the timeout option ignored, nothing to acknowledge) from a
  // fresh TID, or "Server busy" from the server's port.
  std::set<udp::endpoint> tids;
  int busy = 0, oacks = 0;
  std::array<std::uint8_t, 2048> buf{};
  udp::endpoint from;
  while (static_cast<int>(tids.size()) + busy < kFlood) {
    std::size_t n = receive_within(flood, buf, from, std::chrono::seconds(5));
    ASSERT_GE(n, 4u) << tids.size() << " transfers and " << busy << " refusals so far";
    auto p = parse_packet(ByteView(buf).first(n));
    if (from == ep) {
      ASSERT_TRUE(p);
      EXPECT_EQ(p->opcode, Opcode::Error);
      EXPECT_NE(p->message.find("Server busy"), std::string::npos) << p->message;
      ++busy;
    } else if (tids.insert(from).second) {
      oacks += buf[1] == static_cast<std::uint8_t>(Opcode::Oack);
    }
  }
  EXPECT_EQ(tids.size(), 32u);
  EXPECT_EQ(oacks, 0);  // `timeout 255` is not acknowledged
  EXPECT_EQ(busy, kFlood - 32);
  EXPECT_EQ(server.stats().refused_client_cap.load(), static_cast<std::uint64_t>(kFlood - 32));

  // Another client is served while the flood holds its 32 slots.
  auto r = tftp_get(ep, "ITLFile.tlv", {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->data, expected("ITLFile.tlv"));

  // The flood's transfers end within 500 ms x 3 (not 255 s x 3), each with an ERROR.
  std::set<udp::endpoint> given_up;
  auto start = std::chrono::steady_clock::now();
  while (given_up.size() < tids.size()) {
    std::size_t n = receive_within(flood, buf, from, std::chrono::seconds(5));
    ASSERT_GE(n, 4u) << given_up.size() << " of " << tids.size() << " transfers given up";
    if (buf[1] == static_cast<std::uint8_t>(Opcode::Error) && tids.count(from)) given_up.insert(from);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Issue 16, item 4: each netascii RRQ of a large file built its own converted copy (60 of a 50 MB
// file took RSS to 3 GB). Now netascii is converted block by block as it is sent: transfers held
// open at their first block cost no copy, a static file over the stream size streams in netascii
// too (over 64 MiB it was refused), and the bytes are those of a whole-file conversion.
TEST_F(Servers, NetasciiOfALargeFileStreamsWithoutACopyPerTransfer) {
  constexpr std::size_t kText = 24u << 20;  // over the 16 MiB that TFTP streams from a descriptor
  {
    Bytes text(kText);
    std::mt19937 rng(11);
    for (auto& c : text) {
      auto r = rng() % 40;
      c = r == 0 ? '\n' : r == 1 ? '\r' : static_cast<std::uint8_t>('a' + r % 26);
    }
    ASSERT_TRUE(write_file_atomic(dir_ / "static" / "text24.txt", text));
  }
  std::uint64_t before = resident_bytes();
  asio::io_context io;
  udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  constexpr int kHeld = 8;
  Bytes rrq = build_request({Opcode::Rrq, "text24.txt", "netascii", {}});
  for (int i = 0; i < kHeld; ++i) s.send_to(asio::buffer(rrq), tftp_ep());
  std::set<udp::endpoint> tids;
  std::array<std::uint8_t, 2048> buf{};
  udp::endpoint from;
  while (tids.size() < kHeld) {  // DATA 1 of each: the transfers are under way
    std::size_t n = receive_within(s, buf, from, std::chrono::seconds(10));
    ASSERT_GE(n, 4u);
    ASSERT_EQ(buf[1], static_cast<std::uint8_t>(Opcode::Data)) << std::string(as_chars(ByteView(buf).first(n)));
    tids.insert(from);
  }
  std::uint64_t grown = resident_bytes() - std::min(before, resident_bytes());
  EXPECT_LT(grown, 48u << 20) << "RSS grew by " << (grown >> 20) << " MiB for " << kHeld
                              << " netascii transfers of a 24 MiB file";
  for (const auto& tid : tids) s.send_to(asio::buffer(build_error(ErrorCode::Undefined, "test done")), tid);

  // Over 64 MiB, netascii streams too.
  s.send_to(asio::buffer(build_request({Opcode::Rrq, "big.bin", "netascii", {}})), tftp_ep());
  std::size_t n = receive_within(s, buf, from, std::chrono::seconds(10));
  ASSERT_GE(n, 4u);
  EXPECT_EQ(buf[1], static_cast<std::uint8_t>(Opcode::Data)) << std::string(as_chars(ByteView(buf).first(n)));
  s.send_to(asio::buffer(build_error(ErrorCode::Undefined, "test done")), from);

  // The whole file, with blocks and windows whose ends cut CR LF pairs: a whole-file conversion.
  GetOptions o;
  o.mode = "netascii";
  o.blksize = 8192;
  o.windowsize = 4;  // 32 KiB a window: within a client socket's default receive buffer
  o.ask_tsize = true;
  o.timeout = std::chrono::milliseconds(1000);
  auto r = tftp_get(tftp_ep(), "text24.txt", o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->tsize);  // not answered for netascii
  auto text = read_file(dir_ / "static" / "text24.txt");
  ASSERT_TRUE(text);
  EXPECT_TRUE(r->data == to_netascii(*text)) << r->data.size() << " bytes";
}

// Issue 16, item 4: a budget for the buffers of all transfers. A transfer whose blksize and
// windowsize would pass it is refused with "Server busy" and counted; a modest one is served.
TEST_F(Servers, TransferMemoryBudgetRefusesWhatWouldPassIt) {
  cluster::ServicesConfig sc;
  sc.tftp.emplace();
  sc.tftp->address = "127.0.0.1";
  sc.tftp->port = 0;
  sc.tftp->transfer_memory = 1u << 20;  // one address may use 512 KiB of it
  cluster::Services services(*cluster_, sc);
  ASSERT_TRUE(services.start());
  const TftpServer& server = *services.tftp();
  GetOptions huge;
  huge.blksize = 65464;
  huge.windowsize = 64;  // 4 MiB of packets per window
  auto refused = tftp_get(server.local_endpoint(), "load.bin", huge);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Server busy"), std::string::npos) << refused.error().message;
  EXPECT_EQ(server.stats().refused_memory.load(), 1u);
  GetOptions modest;
  modest.blksize = 1428;
  modest.windowsize = 8;
  auto r = tftp_get(server.local_endpoint(), "load.bin", modest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->data, expected("load.bin"));
}

// A build (a query and a signature) runs on a worker: while one is held, the same single loop
// goes on answering a file already in memory.
TEST(ServicesBuilds, ASlowBuildDoesNotDelayACachedFileOnTheSameLoop) {
  auto dir = fs::temp_directory_path() / ("cucm-slow-build-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, open = false;
  };
  auto gate = std::make_shared<Gate>();
  cluster::Config cfg;
  cfg.build_workers = 2;
  cfg.events = false;
  cfg.before_build = [gate](const std::string& name) {
    if (name.find(".cnf.xml") == std::string::npos) return;
    std::unique_lock lock(gate->mutex);
    gate->entered = true;
    gate->changed.notify_all();
    gate->changed.wait(lock, [&] { return gate->open; });
  };
  auto cl = cluster::Cluster::open(dir, cfg);
  ASSERT_TRUE(cl) << cl.error().message;
  auto sc = cluster::loopback_services(1);
  sc.capf.reset();
  cluster::Services services(**cl, sc);
  ASSERT_TRUE(services.start());
  std::string base = "http://127.0.0.1:" + std::to_string(services.http_port()) + "/";
  ASSERT_EQ(run("curl -sf -o /dev/null --max-time 5 " + base + "ITLFile.tlv").rc, 0);  // now in memory

  std::thread slow([&] { EXPECT_EQ(run("curl -sf -o /dev/null --max-time 20 " + base + "XMLDefault.cnf.xml").rc, 0); });
  {
    std::unique_lock lock(gate->mutex);
    gate->changed.wait(lock, [&] { return gate->entered; });
  }
  // The loop is free: the ITL comes back while the config's build is held.
  auto fast = run("curl -sf -o /dev/null --max-time 5 -w '%{http_code}' " + base + "ITLFile.tlv");
  {
    std::lock_guard lock(gate->mutex);
    EXPECT_FALSE(gate->open);  // answered while the build was still held
    gate->open = true;
    gate->changed.notify_all();
  }
  slow.join();
  EXPECT_EQ(fast.rc, 0) << fast.out;
  EXPECT_EQ(fast.out, "200");
  services.stop();
  services.wait();
  fs::remove_all(dir);  // the services go before the cluster, in reverse order of declaration
}

}  // namespace
}  // namespace cucm::tftp
