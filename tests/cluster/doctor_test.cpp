// doctor's checks on a healthy data folder made by Cluster::open, then on each problem it must
// name: a key others can read, keys that do not match, a lost certificate, dates, a damaged or
// newer database, a port this test holds. And that it changes nothing in the folder.
#include "cluster/doctor.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cluster/cluster.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "db/schema.hpp"
#include "signer/cert.hpp"
#include "signer/lab_manufacturer.hpp"
#include "tests/support/listening_socket.hpp"

namespace cucm::cluster {
namespace {
namespace fs = std::filesystem;

class Doctor : public ::testing::Test {
 protected:
  // One healthy folder for the suite (the RSA keys take a while), copied for each test.
  static void SetUpTestSuite() {
    healthy_ = fs::temp_directory_path() / ("cucm-doctor-healthy-" + std::to_string(::getpid()));
    fs::remove_all(healthy_);
    Config c;
    c.events = false;
    auto cluster = Cluster::open(healthy_, c);
    ASSERT_TRUE(cluster) << cluster.error().message;
    ASSERT_TRUE(signer::LabManufacturer::open(healthy_));
  }
  static void TearDownTestSuite() { fs::remove_all(healthy_); }
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cucm-doctor-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(healthy_, dir_, fs::copy_options::recursive);  // modes are copied with the files
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::vector<Finding> run(std::vector<Listener> listeners = {}, std::time_t now = std::time(nullptr)) const {
    DoctorInput in;
    in.data_dir = dir_;
    in.listeners = std::move(listeners);
    in.now = now;
    return run_doctor(in);
  }
  static const Finding* find(const std::vector<Finding>& all, const std::string& check, Verdict v) {
    auto it = std::find_if(all.begin(), all.end(), [&](const Finding& f) { return f.check == check && f.verdict == v; });
    return it == all.end() ? nullptr : &*it;
  }
  static std::string report(const std::vector<Finding>& all) {
    std::string out;
    for (const auto& f : all) out += std::string(verdict_name(f.verdict)) + " " + f.check + ": " + f.detail + "\n";
    return out;
  }
  std::time_t callmanager_not_after() const {
    auto pem = read_file(dir_ / "pki/callmanager.pem");
    auto cert = signer::load_cert(*pem);
    return signer::not_after(**cert);
  }
  // Every file under the folder with its size, mode and modification time.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      struct stat st {};
      ::lstat(e.path().c_str(), &st);
      files[e.path().string()] = std::to_string(st.st_size) + " " + std::to_string(st.st_mode) + " " +
                                 std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    }
    return files;
  }
  static fs::path healthy_;
  fs::path dir_;
};
fs::path Doctor::healthy_;

// A TCP socket of this test listening on loopback, on a port the kernel picks.
using Listening = test::ListeningSocket;

Listener http_on(std::uint16_t port, std::string address = "127.0.0.1") {
  return Listener{"http", core::Transport::Tcp, std::move(address), port, "--http-port", "--http-address", "--no-http"};
}

TEST_F(Doctor, AHealthyFolderIsOkEverywhereAndDoctorChangesNothing) {
  auto before = snapshot();
  auto all = run({http_on(0), Listener{"tftp", core::Transport::Udp, "127.0.0.1", 0, "--tftp-port", "--tftp-address", "--no-tftp"}});
  for (const auto& f : all) EXPECT_EQ(f.verdict, Verdict::Ok) << f.check << ": " << f.detail << "; " << f.fix;
  for (const char* check : {"data folder", "permissions", "pki callmanager", "pki capf", "pki itlrecovery", "pki tvs",
                            "pki https", "lab CA", "database", "port http", "port tftp", "low ports"}) {
    EXPECT_TRUE(find(all, check, Verdict::Ok)) << check << "\n" << report(all);
  }
  EXPECT_FALSE(any_problem(all));
  EXPECT_EQ(snapshot(), before);  // not a byte, mode or time: no -wal, no -shm, no key made
}

TEST_F(Doctor, AnAbsentFolderIsOneProblemAndStaysAbsent) {
  fs::remove_all(dir_);
  auto all = run();
  ASSERT_EQ(all.size(), 2u) << report(all);  // the folder, and the low ports (none to bind)
  const Finding* f = find(all, "data folder", Verdict::Problem);
  ASSERT_TRUE(f);
  EXPECT_NE(f->detail.find("does not exist"), std::string::npos);
  EXPECT_NE(f->fix.find("pki init"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(Doctor, PrivateFilesOthersCanReadAreProblems) {
  fs::permissions(dir_ / "pki/callmanager.key", fs::perms(0644), fs::perm_options::replace);
  ASSERT_TRUE(write_file_atomic(dir_ / "pki/tvs.pending.key", as_bytes("pending"), 0640));
  fs::permissions(dir_ / "cucm.db", fs::perms(0664), fs::perm_options::replace);
  auto all = run();
  EXPECT_TRUE(any_problem(all));
  std::string text = report(all);
  EXPECT_NE(text.find("callmanager.key is mode 0644: other users of this host can read it"), std::string::npos) << text;
  EXPECT_NE(text.find("tvs.pending.key is mode 0640"), std::string::npos) << text;
  EXPECT_NE(text.find("cucm.db is mode 0664: other users of this host can change it"), std::string::npos) << text;
  const Finding* f = find(all, "permissions", Verdict::Problem);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->fix.rfind("chmod 600 ", 0), 0u) << f->fix;
}

TEST_F(Doctor, SwappedKeysAndALostCertificateAreNamed) {
  fs::copy_file(dir_ / "pki/capf.key", dir_ / "pki/tvs.key", fs::copy_options::overwrite_existing);
  fs::remove(dir_ / "pki/itlrecovery.pem");
  auto all = run();
  const Finding* swapped = find(all, "pki tvs", Verdict::Problem);
  ASSERT_TRUE(swapped) << report(all);
  EXPECT_NE(swapped->detail.find("tvs.key (RSA 2048) does not match tvs.pem"), std::string::npos) << swapped->detail;
  EXPECT_NE(swapped->fix.find("pki import --role tvs"), std::string::npos) << swapped->fix;
  const Finding* lost = find(all, "pki itlrecovery", Verdict::Problem);
  ASSERT_TRUE(lost) << report(all);
  EXPECT_NE(lost->detail.find("itlrecovery.pem missing"), std::string::npos) << lost->detail;
  EXPECT_TRUE(find(all, "pki capf", Verdict::Ok)) << report(all);
}

TEST_F(Doctor, CertificatesNearTheirEndWarnAndExpiredOnesAreProblems) {
  std::time_t end = callmanager_not_after();
  auto soon = run({}, end - 10 * 86400);
  EXPECT_FALSE(any_problem(soon)) << report(soon);
  const Finding* w = find(soon, "pki callmanager", Verdict::Warning);
  ASSERT_TRUE(w) << report(soon);
  EXPECT_NE(w->detail.find("expires on"), std::string::npos);
  EXPECT_NE(w->fix.find("pki rotate --role callmanager"), std::string::npos);
  auto late = run({}, end + 86400);
  const Finding* p = find(late, "pki callmanager", Verdict::Problem);
  ASSERT_TRUE(p) << report(late);
  EXPECT_NE(p->detail.find("expired on"), std::string::npos);
}

TEST_F(Doctor, AFolderMadeBeforeTheHttpsIdentityIsAWarning) {
  fs::remove(dir_ / "pki/identities");
  fs::remove(dir_ / "pki/https.pem");
  fs::remove(dir_ / "pki/https.key");
  auto all = run();
  EXPECT_FALSE(any_problem(all)) << report(all);
  EXPECT_TRUE(find(all, "pki https", Verdict::Warning)) << report(all);
  EXPECT_FALSE(fs::exists(dir_ / "pki/https.pem"));  // the warning, not the identity
}

TEST_F(Doctor, NoIdentitiesIsAWarningOnAFreshFolderAndAProblemBesideDevices) {
  fs::remove_all(dir_ / "pki");
  auto fresh = run();
  EXPECT_FALSE(any_problem(fresh)) << report(fresh);
  const Finding* w = find(fresh, "pki", Verdict::Warning);
  ASSERT_TRUE(w) << report(fresh);
  EXPECT_NE(w->fix.find("serve makes them"), std::string::npos) << w->fix;
  {
    auto db = db::open_cluster_db(dir_);
    ASSERT_TRUE(db);
    db::Device d;
    d.name = "SEP001122334455";
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore(*db).add(d));
  }
  auto lost = run();
  const Finding* p = find(lost, "pki", Verdict::Problem);
  ASSERT_TRUE(p) << report(lost);
  EXPECT_NE(p->detail.find("beside a database with 1 device(s)"), std::string::npos) << p->detail;
  EXPECT_NE(p->fix.find("restore pki/ from a backup"), std::string::npos) << p->fix;
  EXPECT_FALSE(fs::exists(dir_ / "pki"));
}

TEST_F(Doctor, ADamagedDatabaseIsAProblem) {
  ASSERT_TRUE(write_file_atomic(dir_ / "cucm.db", as_bytes(std::string(4096, 'x')), 0600));
  auto all = run();
  const Finding* f = find(all, "database", Verdict::Problem);
  ASSERT_TRUE(f) << report(all);
  EXPECT_NE(f->detail.find("not a database"), std::string::npos) << f->detail;
  EXPECT_NE(f->fix.find("backup"), std::string::npos);
}

TEST_F(Doctor, ANewerSchemaIsAProblemAndAnOlderOneAWarning) {
  int known = static_cast<int>(db::migrations().size());
  {
    auto db = db::Database::open(dir_ / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(known + 1)));
  }
  auto all = run();
  const Finding* newer = find(all, "database", Verdict::Problem);
  ASSERT_TRUE(newer) << report(all);
  EXPECT_NE(newer->detail.find("made by a newer cucm-emu"), std::string::npos) << newer->detail;

  fs::remove(dir_ / "cucm.db");
  {
    auto db = db::Database::open(dir_ / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db::migrate(*db, 3));
  }
  fs::permissions(dir_ / "cucm.db", fs::perms(0600), fs::perm_options::replace);
  auto older = run();
  EXPECT_FALSE(any_problem(older)) << report(older);
  const Finding* w = find(older, "database", Verdict::Warning);
  ASSERT_TRUE(w) << report(older);
  EXPECT_NE(w->detail.find(fmt::format("schema 3/{}", known)), std::string::npos) << w->detail;
}

TEST_F(Doctor, APortThisTestHoldsNamesItsProcessUnlessItIsServe) {
  Listening held;
  auto all = run({http_on(held.port)});
  const Finding* f = find(all, "port http", Verdict::Problem);
  ASSERT_TRUE(f) << report(all);
  std::string me = fs::read_symlink("/proc/self/exe").filename().string();
  EXPECT_NE(f->detail.find(me + " pid " + std::to_string(::getpid())), std::string::npos) << f->detail;
  EXPECT_NE(f->fix.find("--http-port"), std::string::npos) << f->fix;
  EXPECT_NE(f->fix.find("or with --no-http"), std::string::npos) << f->fix;
  // The same socket held by a program called as serve is: serve is running, nothing to fix.
  DoctorInput in;
  in.data_dir = dir_;
  in.listeners = {http_on(held.port, "0.0.0.0")};
  in.now = std::time(nullptr);
  in.program = me;
  auto running = run_doctor(in);
  const Finding* ok = find(running, "port http", Verdict::Ok);
  ASSERT_TRUE(ok) << report(running);
  EXPECT_NE(ok->detail.find("serve is running"), std::string::npos);
}

TEST_F(Doctor, AnAddressNotOnThisHostAndTwoServicesOnOnePortAreProblems) {
  // 192.0.2.0/24 is TEST-NET-1: on no interface of a lab host.
  auto all = run({http_on(8080, "192.0.2.77"),
                  Listener{"https", core::Transport::Tcp, "192.0.2.77", 8080, "--https-port", "--https-address", "--no-https"}});
  const Finding* f = find(all, "port http", Verdict::Problem);
  ASSERT_TRUE(f) << report(all);
  EXPECT_NE(f->detail.find("192.0.2.77 is not an address of this host"), std::string::npos) << f->detail;
  EXPECT_NE(f->fix.find("--http-address"), std::string::npos);
  auto twice = std::find_if(all.begin(), all.end(), [](const Finding& x) {
    return x.detail.find("http and https both ask for port 8080/tcp") != std::string::npos;
  });
  ASSERT_NE(twice, all.end()) << report(all);
  EXPECT_EQ(twice->verdict, Verdict::Problem);
  EXPECT_NE(twice->fix.find("--https-port"), std::string::npos);
}

}  // namespace
}  // namespace cucm::cluster
