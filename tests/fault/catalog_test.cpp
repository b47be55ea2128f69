// The fault catalog: every name issue 18 asks for is there once, with a description, a reaction
// and what it reproduces; parameters have sane ranges.
#include "fault/catalog.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace cucm::fault {
namespace {

TEST(FaultCatalog, HoldsEveryFaultOfTheIssueOnceWithItsWords) {
  const char* wanted[] = {
      "sgn-bad-signature", "sgn-wrong-filename", "sgn-signer-not-in-itl", "sgn-expired-signer", "sgn-unknown-hash",
      "sgn-truncated", "itl-bad-signature", "itl-untrusted-signer", "itl-without-capf", "itl-without-tftp",
      "ctl-in-non-mixed-mode", "certhash-empty", "certhash-mismatch", "enc-wrong-key", "enc-bad-padding",
      "enc-bad-digest", "enc-missing", "partial-without-capf", "capf-wrong-port", "tftp-drop-block",
      "tftp-duplicate-block", "tftp-delay", "tftp-error", "tftp-ignore-options", "tftp-blksize-mismatch",
      "http-status", "http-slow", "http-truncated", "http-wrong-length", "capf-refuse", "capf-stall-after-hello",
      "capf-tls-1.0-only", "capf-cipher-mismatch", "capf-lsc-wrong-cn", "capf-lsc-expired", "capf-lsc-wrong-eku",
      "capf-lsc-unknown-ca", "capf-drop-before-store", "tvs-invalid", "tvs-no-answer", "tvs-wrong-roles"};
  for (const char* n : wanted) {
    const FaultSpec* f = find_fault(n);
    ASSERT_NE(f, nullptr) << n;
    EXPECT_FALSE(f->description.empty()) << n;
    EXPECT_FALSE(f->reaction_text.empty()) << n;
    EXPECT_FALSE(f->reproduces.empty()) << n;
    if (f->reaction == Reaction::Unknown) {
      EXPECT_NE(f->reaction_text.find("unknown"), std::string_view::npos) << n << ": an unknown reaction says so";
      EXPECT_NE(simulated_reaction(*f), Reaction::Unknown) << n;
    } else {
      EXPECT_EQ(simulated_reaction(*f), f->reaction) << n;
    }
  }
  std::set<std::string_view> names;
  for (const auto& f : all_faults()) {
    EXPECT_TRUE(names.insert(f.name).second) << "twice: " << f.name;
    for (const auto& p : f.params) {
      EXPECT_LE(p.min, p.fallback) << f.name << " " << p.name;
      EXPECT_LE(p.fallback, p.max) << f.name << " " << p.name;
    }
  }
  EXPECT_EQ(find_fault("no-such-fault"), nullptr);
}

}  // namespace
}  // namespace cucm::fault
