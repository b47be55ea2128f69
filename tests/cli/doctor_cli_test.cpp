// cucm-emu --version, as a package's CI reads it.
#include <regex>

#include "cli_support.hpp"

namespace cucm {
namespace {

class DoctorCli : public Cli {};

TEST_F(DoctorCli, VersionNamesTheReleaseAndTheGitRevision) {
  auto r = run_stdout(std::string(CUCM_EMU) + " --version");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(cucm-emu [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+(-dirty)?|unknown)\)\n)")))
      << r.out;
}

}  // namespace
}  // namespace cucm
