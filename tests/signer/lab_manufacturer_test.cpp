// The lab manufacturing CA: made once per data folder, trusted by CAPF, issuing simulated MICs.
#include "signer/lab_manufacturer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/chain_verifier.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {
namespace {
namespace fs = std::filesystem;

fs::path temp(const std::string& name) {
  auto p = fs::temp_directory_path() / ("cucm-labmfg-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p;
}

TEST(LabManufacturer, MadeOnFirstUseThenLoadedWithItsKeyPrivate) {
  auto dir = temp("first");
  auto made = LabManufacturer::open(dir);
  ASSERT_TRUE(made) << made.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir / "lab-manufacturing" / "ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(dir / "capf" / "trust"));  // serve trusts it in CAPF-trust (cluster/trust_stores)
  auto again = LabManufacturer::open(dir);
  ASSERT_TRUE(again);
  EXPECT_EQ(cert_der(*again->cert), cert_der(*made->cert));
  fs::remove_all(dir);
}

TEST(LabManufacturer, TwoProcessesMakingItAtOnceEndWithOneCa) {
  auto dir = temp("race");
  Result<LabManufacturer> a = make_error(Errc::Internal, "not run"), b = make_error(Errc::Internal, "not run");
  std::thread ta([&] { a = LabManufacturer::open(dir); });
  std::thread tb([&] { b = LabManufacturer::open(dir); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(cert_der(*a->cert), cert_der(*b->cert));
  auto on_disk = LabManufacturer::open(dir);
  ASSERT_TRUE(on_disk);
  EXPECT_EQ(cert_der(*on_disk->cert), cert_der(*a->cert));
  fs::remove_all(dir);
}

TEST(LabManufacturer, ItsMicsChainToItAndNameTheDevice) {
  auto dir = temp("mic");
  auto m = LabManufacturer::open(dir);
  ASSERT_TRUE(m);
  auto key = generate_key({});
  std::time_t now = std::time(nullptr);
  auto mic = m->issue_mic(**key, "SEP001122334455", now);
  ASSERT_TRUE(mic) << mic.error().message;
  EXPECT_EQ(common_name(**mic), "SEP001122334455");
  EXPECT_FALSE(is_self_signed(**mic));
  ChainVerifier v;
  ASSERT_TRUE(v.add_anchor(*m->cert));
  EXPECT_TRUE(v.verify(**mic, now));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cucm::signer
