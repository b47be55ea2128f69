// File helpers: size caps, modes and clear errors.
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/file_io.hpp"

namespace cucm {
namespace {
namespace fs = std::filesystem;

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("cucm-core-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(FileIo, WriteAtomicAppliesModeAndReadsBack) {
  auto p = temp_dir() / "secret.key";
  Bytes data{1, 2, 3};
  ASSERT_TRUE(write_file_atomic(p, data, 0600));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*read_file(p), data);
}

TEST(FileIo, MissingFileIsNotFoundWithPath) {
  auto r = read_file("/nonexistent/cucm/file");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  EXPECT_NE(r.error().message.find("/nonexistent/cucm/file"), std::string::npos);
}

TEST(FileIo, SizeCapIsEnforced) {
  auto p = temp_dir() / "big";
  ASSERT_TRUE(write_file_atomic(p, Bytes(100, 0)));
  auto r = read_file(p, 99);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ResourceExhausted);
}

TEST(FileIo, DirectoryIsRejected) {
  auto r = read_file(temp_dir());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
}

}  // namespace
}  // namespace cucm
