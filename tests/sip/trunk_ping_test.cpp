// Seed 003 between clusters: three clusters on loopback (cucm-a, cucm-b, cucm-c), each serving SIP
// over TLS with its own CallManager certificate. A and B trust each other's certificate and name
// each other's CN on their trunks: the OPTIONS ping is Full Service. A trunk naming the wrong CN,
// on either side, and a peer whose certificate is not in CallManager-trust are No Service with
// the reason CUCM's peer gives (403) or ours. And a ping that cannot reach its peer says so in
// one line.
#include <unistd.h>

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "cluster/trust_stores.hpp"
#include "db/sip_store.hpp"
#include "signer/cert.hpp"
#include "sip/peer_check.hpp"
#include "sip/trunk_ping.hpp"
#include "tests/support/listening_socket.hpp"

namespace cucm::sip {
namespace {
namespace fs = std::filesystem;

// One cluster with only its SIP server running.
struct Node {
  std::string name;
  fs::path dir;
  std::unique_ptr<cluster::Cluster> cluster;
  std::unique_ptr<cluster::Services> services;

  db::Database& db() { return cluster->db(); }
  const X509& callmanager() const { return *cluster->pki().identity(signer::PkiRole::CallManager).cert; }
  std::uint16_t port() const { return services->sip_tls_port(); }
};

class TrunkPing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* n : {"cucm-a", "cucm-b", "cucm-c"}) nodes_.push_back(open(n));
    // Trust is read when the server starts: A and B trust each other, C trusts B, B not C.
    trust(a(), b());
    trust(b(), a());
    trust(c(), b());
    for (auto& n : nodes_) start(*n);
    add_trunk(a(), "to-b", b(), "cucm-b");
    add_trunk(b(), "to-a", a(), "cucm-a");
    add_trunk(b(), "to-c", c(), "cucm-c");  // named, but its certificate is not trusted
    add_trunk(c(), "to-b", b(), "cucm-b");
    add_trunk(a(), "to-c", c(), "cucm-c");  // C is not in A's CallManager-trust
  }
  static void TearDownTestSuite() {
    for (auto& n : nodes_) {
      n->services.reset();
      n->cluster.reset();
      fs::remove_all(n->dir);
    }
    nodes_.clear();
  }

  static Node& a() { return *nodes_[0]; }
  static Node& b() { return *nodes_[1]; }
  static Node& c() { return *nodes_[2]; }

  // A data folder whose PKI is made with `name` as its node: its CallManager certificate's CN.
  static std::unique_ptr<Node> open(const std::string& name) {
    auto n = std::make_unique<Node>();
    n->name = name;
    n->dir = fs::temp_directory_path() / ("cucm-sip-trunk-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(n->dir);
    signer::PkiOptions o;
    o.node_name = name;
    auto pki = signer::ClusterPki::load_or_create(n->dir, o);
    EXPECT_TRUE(pki) << pki.error().message;
    cluster::Config cfg;
    cfg.events = false;
    cfg.build_workers = 1;
    auto c = cluster::Cluster::open(n->dir, cfg);
    EXPECT_TRUE(c) << c.error().message;
    if (c) n->cluster = std::move(*c);
    return n;
  }
  static void trust(Node& who, const Node& whom) {
    auto added = cluster::add_trusted(who.db(), cluster::TrustStore::CallManager, signer::cert_pem(whom.callmanager()), "test");
    ASSERT_TRUE(added) << added.error().message;
  }
  static void start(Node& n) {
    cluster::ServicesConfig sc;
    sc.sip = cluster::loopback_services().sip;
    sc.sip->plain = n.name == "cucm-a";  // A's SIP over TCP: a port that is not TLS
    n.services = std::make_unique<cluster::Services>(*n.cluster, sc);
    auto st = n.services->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  static void add_trunk(Node& on, const std::string& name, const Node& peer, const std::string& subjects) {
    db::SipTrunk t{name, "", "127.0.0.1", peer.port(), db::split_subjects(subjects), 5061};
    auto st = db::SipStore(on.db()).add_trunk(t);
    ASSERT_TRUE(st) << st.error().message;
  }
  static void replace_trunk(Node& on, const std::string& name, const Node& peer, const std::string& subjects) {
    ASSERT_TRUE(db::SipStore(on.db()).remove_trunk(name));
    add_trunk(on, name, peer, subjects);
  }

  // The ping as `trunk ping` runs it: the trunk from the database, our CallManager identity and
  // CallManager-trust.
  static TrunkPingReport ping(Node& from, const std::string& trunk, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto t = db::SipStore(from.db()).trunk(trunk);
    EXPECT_TRUE(t) << t.error().message;
    return ping_to(from, t->peer_host, static_cast<std::uint16_t>(t->peer_port), t->x509_subjects, timeout);
  }
  static TrunkPingReport ping_to(Node& from, const std::string& host, std::uint16_t port, std::vector<std::string> subjects,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto trusted = cluster::trusted_certificates(from.db(), cluster::TrustStore::CallManager);
    EXPECT_TRUE(trusted);
    auto peers = PeerCheck::make(*from.cluster->pki().identity(signer::PkiRole::Capf).cert, {}, *trusted);
    EXPECT_TRUE(peers);
    TrunkPingOptions o;
    o.host = host;
    o.port = port;
    o.subjects = std::move(subjects);
    o.identity = &from.cluster->pki().identity(signer::PkiRole::CallManager);
    o.peers = &*peers;
    o.timeout = timeout;
    return ping_trunk(o);
  }

  static inline std::vector<std::unique_ptr<Node>> nodes_;
};

void expect_one_line(const std::string& s) {
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s.find('\n'), std::string::npos) << s;
}

TEST_F(TrunkPing, BetweenClustersThatTrustAndNameEachOtherIsFullService) {
  for (auto [from, trunk, cn] : {std::tuple{&a(), "to-b", "cucm-b"}, std::tuple{&b(), "to-a", "cucm-a"}}) {
    auto r = ping(*from, trunk);
    EXPECT_TRUE(r.full_service()) << r.reason();
    EXPECT_EQ(r.status(), "Full Service");
    EXPECT_EQ(r.reason(), "");
    EXPECT_EQ(r.failure, "");
    EXPECT_TRUE(r.tls.starts_with("TLSv1.")) << r.tls;
    EXPECT_NE(r.peer_subject.find(std::string("CN=") + cn), std::string::npos) << r.peer_subject;
    ASSERT_TRUE(r.chain);
    EXPECT_TRUE(r.chain->ok()) << r.chain->detail;
    EXPECT_EQ(r.matched_subject, cn);
    EXPECT_EQ(r.sip_code, 200);
    EXPECT_EQ(r.sip_reason, "OK");
    ASSERT_TRUE(r.rtt_ms);
    EXPECT_GE(*r.rtt_ms, 0.0);
  }
}

TEST_F(TrunkPing, SubjectNamesMatchIgnoringCase) {
  auto r = ping_to(a(), "127.0.0.1", b().port(), {"other.example.com", "CUCM-B"});
  EXPECT_TRUE(r.full_service()) << r.reason();
  EXPECT_EQ(r.matched_subject, "CUCM-B");
}

// B's trunk to A names another CN: B refuses A's OPTIONS with 403 (X.509 subject name), and
// B's own ping finds A's certificate named by none of the trunk's subjects.
TEST_F(TrunkPing, APeerTrunkNamingAnotherSubjectIsNoServiceWith403) {
  replace_trunk(b(), "to-a", a(), "cucm-x.example.com");
  auto r = ping(a(), "to-b");
  auto theirs = ping(b(), "to-a");
  replace_trunk(b(), "to-a", a(), "cucm-a");
  EXPECT_FALSE(r.full_service());
  EXPECT_EQ(r.status(), "No Service");
  EXPECT_TRUE(r.chain && r.chain->ok());
  EXPECT_EQ(r.matched_subject, "cucm-b");
  EXPECT_EQ(r.sip_code, 403);
  EXPECT_EQ(r.sip_reason, "Forbidden (X.509 subject name)");
  EXPECT_NE(r.warning.find("cucm-a"), std::string::npos) << r.warning;
  EXPECT_NE(r.reason().find("403 Forbidden (X.509 subject name)"), std::string::npos) << r.reason();
  expect_one_line(r.reason());

  EXPECT_FALSE(theirs.full_service());
  EXPECT_EQ(theirs.matched_subject, "");
  EXPECT_EQ(theirs.sip_code, 200) << "A still names B";
  EXPECT_NE(theirs.reason().find("none of the trunk's X.509 subject names"), std::string::npos) << theirs.reason();
  EXPECT_NE(theirs.reason().find("cucm-a"), std::string::npos) << theirs.reason();
  expect_one_line(theirs.reason());
  EXPECT_TRUE(ping(a(), "to-b").full_service()) << "restored";
}

// C's certificate is named by B's trunk but is not in B's CallManager-trust.
TEST_F(TrunkPing, APeerWhoseCertificateIsNotInCallManagerTrustIsRefusedWith403) {
  auto r = ping(c(), "to-b");
  EXPECT_FALSE(r.full_service());
  EXPECT_TRUE(r.chain && r.chain->ok()) << "C trusts B";
  EXPECT_EQ(r.sip_code, 403);
  EXPECT_EQ(r.sip_reason, "Forbidden (certificate not trusted)");
  EXPECT_NE(r.warning.find("CallManager-trust"), std::string::npos) << r.warning;
  EXPECT_NE(r.reason().find("403 Forbidden (certificate not trusted)"), std::string::npos) << r.reason();
}

// Our own side: C is not in A's CallManager-trust, whatever C answers.
TEST_F(TrunkPing, OurTrustStoreWithoutThePeerIsNoService) {
  auto r = ping(a(), "to-c");
  EXPECT_FALSE(r.full_service());
  ASSERT_TRUE(r.chain);
  EXPECT_FALSE(r.chain->ok());
  EXPECT_EQ(r.matched_subject, "cucm-c");
  EXPECT_NE(r.reason().find("does not chain to CallManager-trust"), std::string::npos) << r.reason();
  EXPECT_NE(r.reason().find("trust add"), std::string::npos) << r.reason();
  expect_one_line(r.reason());
}

TEST_F(TrunkPing, APortWhereNothingListensIsOneLine) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acc(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acc.local_endpoint().port();
  }
  auto r = ping_to(a(), "127.0.0.1", port, {"cucm-b"});
  EXPECT_FALSE(r.full_service());
  EXPECT_NE(r.failure.find("connect failed"), std::string::npos) << r.failure;
  EXPECT_EQ(r.reason(), r.failure);
  expect_one_line(r.reason());
  EXPECT_EQ(r.tls, "");
}

// A's SIP over plain TCP sees our ClientHello's first byte, answers a plain-text 400 and closes:
// the handshake fails at once, well before the deadline.
TEST_F(TrunkPing, APortThatIsNotTlsEndsTheHandshakeAtOnce) {
  auto r = ping_to(b(), "127.0.0.1", a().services->sip_port(), {"cucm-a"}, std::chrono::milliseconds(10'000));
  EXPECT_FALSE(r.full_service());
  EXPECT_NE(r.failure.find("TLS handshake failed"), std::string::npos) << r.failure;
  EXPECT_NE(r.failure.find("a SIP TLS port?"), std::string::npos) << r.failure;
  EXPECT_EQ(r.tls, "");
  expect_one_line(r.reason());
}

TEST_F(TrunkPing, AHostThatDoesNotResolveIsOneLine) {
  auto r = ping_to(a(), "no-such-peer.invalid", 5061, {"cucm-b"});
  EXPECT_FALSE(r.full_service());
  EXPECT_NE(r.failure.find("cannot resolve host 'no-such-peer.invalid'"), std::string::npos) << r.failure;
  expect_one_line(r.reason());
}

// A peer that accepts the connection (the kernel's backlog) and never answers the handshake.
TEST_F(TrunkPing, ASilentPeerEndsAtTheDeadline) {
  test::ListeningSocket silent;
  auto started = std::chrono::steady_clock::now();
  auto r = ping_to(a(), "127.0.0.1", silent.port, {"cucm-b"}, std::chrono::milliseconds(300));
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(r.full_service());
  EXPECT_NE(r.failure.find("TLS handshake timed out after 300 ms"), std::string::npos) << r.failure;
  expect_one_line(r.reason());
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(TrunkPingReport, ReasonsNameTheFix) {
  TrunkPingReport r;
  r.peer = "10.0.0.2:5061";
  r.chain = ChainCheck{ChainCheck::Verdict::Ok, {}};
  r.matched_subject = "cucm-b";
  r.sip_code = 503;
  r.sip_reason = "Service Unavailable";
  EXPECT_EQ(r.reason(), "10.0.0.2:5061: answered 503 Service Unavailable");
  r.sip_code = 200;
  EXPECT_TRUE(r.full_service());
  r.matched_subject.clear();
  r.peer_names = {"cucm-b", "cucm-b.example.com"};
  EXPECT_NE(r.reason().find("[cucm-b, cucm-b.example.com]"), std::string::npos) << r.reason();
  EXPECT_EQ(match_subject({"cucm-b", "cucm-b.example.com"}, {"x", "CUCM-B.Example.Com"}), "CUCM-B.Example.Com");
  EXPECT_EQ(match_subject({"cucm-b"}, {}), "");
}

}  // namespace
}  // namespace cucm::sip
