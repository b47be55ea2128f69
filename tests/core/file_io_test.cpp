// File helpers: size caps, modes and clear errors.
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/file_io.hpp"

namespace cucm {
namespace {
namespace fs = std::filesystem;

// A directory of the test's own, removed after it.
class FileIo : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& temp_dir() const { return dir_; }

 private:
  fs::path dir_ = fs::temp_directory_path() / ("cucm-core-" + std::to_string(::getpid()));
};

TEST_F(FileIo, WriteAtomicAppliesModeAndReadsBack) {
  auto p = temp_dir() / "secret.key";
  Bytes data{1, 2, 3};
  ASSERT_TRUE(write_file_atomic(p, data, 0600));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*read_file(p), data);
}

TEST_F(FileIo, MissingFileIsNotFoundWithPath) {
  auto r = read_file("/nonexistent/cucm/file");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  EXPECT_NE(r.error().message.find("/nonexistent/cucm/file"), std::string::npos);
}

TEST_F(FileIo, SizeCapIsEnforced) {
  auto p = temp_dir() / "big";
  ASSERT_TRUE(write_file_atomic(p, Bytes(100, 0)));
  auto r = read_file(p, 99);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ResourceExhausted);
}

TEST_F(FileIo, DirectoryIsRejected) {
  auto r = read_file(temp_dir());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
}

TEST_F(FileIo, OpenRegularFileGivesSizeAndIdentity) {
  auto p = temp_dir() / "load.bin";
  ASSERT_TRUE(write_file_atomic(p, Bytes(1234, 7)));
  auto f = open_regular_file(p);
  ASSERT_TRUE(f) << f.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(f->size, 1234u);
  EXPECT_EQ(f->inode, static_cast<std::uint64_t>(st.st_ino));
  EXPECT_EQ(f->mtime_ns, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec);
  EXPECT_TRUE(f->handle);
}

// A FIFO in a served directory must not hang the server thread that opens it.
TEST_F(FileIo, FifoIsRefusedWithoutBlocking) {
  auto p = temp_dir() / "fifo";
  fs::remove(p);
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  auto f = open_regular_file(p);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::InvalidArgument);
  EXPECT_FALSE(read_file(p));
  fs::remove(p);
}

TEST_F(FileIo, FileHandleClosesOnceAndMoves) {
  auto p = temp_dir() / "h.bin";
  ASSERT_TRUE(write_file_atomic(p, Bytes(3, 1)));
  auto f = open_regular_file(p);
  ASSERT_TRUE(f);
  int fd = f->handle.get();
  FileHandle moved = std::move(f->handle);
  EXPECT_FALSE(f->handle);  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(moved.get(), fd);
  moved = FileHandle();
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);  // closed
}

}  // namespace
}  // namespace cucm
