// The transfer state machine driven by scripted packet sequences: lost DATA, lost ACK,
// duplicate ACK, option negotiation, windows, and block-number rollover past 65535.
#include "tftp/transfer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace cucm::tftp {
namespace {

std::shared_ptr<const Bytes> file_of(std::size_t n) {
  auto b = std::make_shared<Bytes>(n);
  for (std::size_t i = 0; i < n; ++i) (*b)[i] = static_cast<std::uint8_t>(i * 7);
  return b;
}

std::uint16_t block_of(const Bytes& pkt) {
  EXPECT_EQ(pkt[1], 3) << "not DATA";
  return static_cast<std::uint16_t>((pkt[2] << 8) | pkt[3]);
}

// A perfect receiver: reassembles DATA and ACKs each block (lock-step).
Bytes receive_all(Transfer& t, Transfer::Step s) {
  Bytes got;
  std::size_t guard = 0;
  while (!s.done && !s.failed && ++guard < 10'000'000) {
    EXPECT_EQ(s.send.size(), 1u);
    const Bytes& pkt = s.send.back();
    if (pkt[1] == 6) {  // OACK
      s = t.on_ack(0);
      continue;
    }
    got.insert(got.end(), pkt.begin() + 4, pkt.end());
    s = t.on_ack(block_of(pkt));
  }
  EXPECT_TRUE(s.done);
  return got;
}

TEST(Negotiate, AcceptsValidOptionsAndClamps) {
  Request r{Opcode::Rrq, "f", "octet",
            {{"blksize", "70000"}, {"tsize", "0"}, {"timeout", "3"}, {"windowsize", "1000"}, {"color", "red"}}};
  auto o = negotiate(r, 1234, {});
  EXPECT_EQ(o.blksize, 512u);  // 70000 is out of range: ignored
  EXPECT_EQ(o.windowsize, 64);  // clamped to the server limit
  EXPECT_EQ(o.timeout, std::chrono::seconds(3));
  std::vector<std::pair<std::string, std::string>> want{{"tsize", "1234"}, {"timeout", "3"}, {"windowsize", "64"}};
  EXPECT_EQ(o.oack, want);
  auto b = negotiate({Opcode::Rrq, "f", "octet", {{"blksize", "1428"}, {"blksize", "x"}}}, 1, {});
  EXPECT_EQ(b.blksize, 1428u);
  TransferLimits small;
  small.max_blksize = 1024;
  EXPECT_EQ(negotiate({Opcode::Rrq, "f", "octet", {{"blksize", "8192"}}}, 1, small).blksize, 1024u);
  EXPECT_TRUE(negotiate({Opcode::Rrq, "f", "octet", {{"blksize", "7"}}}, 1, {}).oack.empty());
}

TEST(Negotiate, ARepeatedOptionIsAnsweredOnceTheFirstTime) {
  auto o = negotiate({Opcode::Rrq, "f", "octet", {{"blksize", "1024"}, {"tsize", "0"}, {"blksize", "1428"}, {"tsize", "0"}}},
                     99, {});
  std::vector<std::pair<std::string, std::string>> want{{"blksize", "1024"}, {"tsize", "99"}};
  EXPECT_EQ(o.oack, want);
  EXPECT_EQ(o.blksize, 1024u);
}

TEST(Transfer, LockStepWithoutOptions) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{511}, std::size_t{512}, std::size_t{513},
                           std::size_t{10'000}}) {
    auto data = file_of(size);
    Transfer t(data, negotiate({Opcode::Rrq, "f", "octet", {}}, size, {}), 5);
    EXPECT_EQ(t.total_blocks(), size / 512 + 1);  // an exact multiple ends with an empty block
    EXPECT_EQ(receive_all(t, t.start()), *data) << size;
  }
}

TEST(Transfer, OackThenData) {
  auto data = file_of(5000);
  Transfer t(data, negotiate({Opcode::Rrq, "f", "octet", {{"blksize", "1428"}, {"tsize", "0"}}}, 5000, {}), 5);
  auto s = t.start();
  ASSERT_EQ(s.send.size(), 1u);
  EXPECT_EQ(s.send[0][1], 6);
  EXPECT_TRUE(t.on_ack(3).send.empty());  // only ACK 0 acknowledges the OACK
  auto first = t.on_ack(0);
  ASSERT_EQ(first.send.size(), 1u);
  EXPECT_EQ(block_of(first.send[0]), 1);
  EXPECT_EQ(first.send[0].size(), 4u + 1428u);
}

TEST(Transfer, LostOackIsResentOnTimeout) {
  Transfer t(file_of(10), negotiate({Opcode::Rrq, "f", "octet", {{"tsize", "0"}}}, 10, {}), 2);
  t.start();
  auto again = t.on_timeout();
  ASSERT_EQ(again.send.size(), 1u);
  EXPECT_EQ(again.send[0][1], 6);
  EXPECT_FALSE(t.on_timeout().failed);
  EXPECT_TRUE(t.on_timeout().failed);  // 3rd timeout > max_retries 2
}

TEST(Transfer, LostDataAndLostAckAreRecoveredByTimeout) {
  auto data = file_of(2000);
  Transfer t(data, negotiate({Opcode::Rrq, "f", "octet", {}}, 2000, {}), 5);
  auto s = t.start();                 // DATA 1 ...
  auto resend = t.on_timeout();       // ... was lost: resent
  ASSERT_EQ(resend.send.size(), 1u);
  EXPECT_EQ(resend.send[0], s.send[0]);
  auto s2 = t.on_ack(1);              // DATA 2
  EXPECT_EQ(block_of(s2.send[0]), 2);
  auto resend2 = t.on_timeout();      // ACK 2 lost: DATA 2 again
  EXPECT_EQ(block_of(resend2.send[0]), 2);
  EXPECT_EQ(t.retransmitted(), 2u);
  Bytes got(data->begin(), data->begin() + 512);
  // Duplicate of ACK 1 arrives late: nothing is sent (no Sorcerer's Apprentice).
  EXPECT_TRUE(t.on_ack(1).send.empty());
  auto s3 = t.on_ack(2);
  EXPECT_EQ(block_of(s3.send[0]), 3);
  EXPECT_TRUE(t.on_ack(2).send.empty());  // duplicate again
  EXPECT_TRUE(t.on_ack(9).send.empty());  // an ACK for a block never sent
  auto s4 = t.on_ack(3);
  EXPECT_EQ(block_of(s4.send[0]), 4);
  auto end = t.on_ack(4);
  EXPECT_TRUE(end.done);
}

TEST(Transfer, WindowsAndGapRecovery) {
  auto data = file_of(512 * 20 + 100);
  Transfer t(data, negotiate({Opcode::Rrq, "f", "octet", {{"windowsize", "8"}}}, data->size(), {}), 5);
  t.start();
  auto w1 = t.on_ack(0);
  ASSERT_EQ(w1.send.size(), 8u);
  EXPECT_EQ(block_of(w1.send.front()), 1);
  EXPECT_EQ(block_of(w1.send.back()), 8);
  // Block 4 was lost: the receiver ACKs 3, and the sender resumes at 4.
  auto w2 = t.on_ack(3);
  ASSERT_EQ(w2.send.size(), 8u);
  EXPECT_EQ(block_of(w2.send.front()), 4);
  EXPECT_EQ(block_of(w2.send.back()), 11);
  auto w3 = t.on_ack(11);
  EXPECT_EQ(block_of(w3.send.front()), 12);
  EXPECT_EQ(block_of(w3.send.back()), 19);
  auto w4 = t.on_ack(19);
  ASSERT_EQ(w4.send.size(), 2u);  // 20 and the short 21st
  EXPECT_EQ(w4.send.back().size(), 4u + 100u);
  EXPECT_TRUE(t.on_ack(21).done);
}

TEST(Transfer, BlockNumbersRollOverPast65535) {
  // > 32 MB at blksize 512: 65,600 blocks, so numbers wrap 65535 -> 0 -> 1 ...
  std::size_t size = 512 * 65'600 + 17;
  auto data = file_of(size);
  Transfer t(data, negotiate({Opcode::Rrq, "f", "octet", {}}, size, {}), 5);
  auto s = t.start();
  Bytes got;
  got.reserve(size);
  std::uint64_t n = 0;
  while (!s.done) {
    ASSERT_EQ(s.send.size(), 1u);
    const Bytes& pkt = s.send[0];
    ++n;
    EXPECT_EQ(block_of(pkt), static_cast<std::uint16_t>(n & 0xffff));
    got.insert(got.end(), pkt.begin() + 4, pkt.end());
    if (n == 65'537) {  // a duplicate ACK right after the wrap changes nothing
      EXPECT_TRUE(t.on_ack(0xffff).send.empty());
    }
    s = t.on_ack(block_of(pkt));
  }
  EXPECT_EQ(n, 65'601u);
  EXPECT_EQ(got, *data);
}

// A large static file is read block by block from its descriptor: the same packets as from memory,
// across the rollover; a file cut short mid-transfer fails the transfer with a reason, not a crash.
TEST(Transfer, FromAnOpenFileReadsEachBlockAndFailsWhenTheFileShrinks) {
  std::size_t size = 512 * 65'540 + 3;
  auto data = file_of(size);
  auto path = std::filesystem::temp_directory_path() / ("cucm-transfer-" + std::to_string(::getpid()) + ".bin");
  ASSERT_TRUE(write_file_atomic(path, *data));
  auto open = [&] {
    auto f = open_regular_file(path);
    EXPECT_TRUE(f);
    return TransferData(std::make_shared<const FileHandle>(std::move(f->handle)), f->size);
  };
  Transfer t(open(), negotiate({Opcode::Rrq, "f", "octet", {}}, size, {}), 5);
  EXPECT_EQ(t.size(), size);
  EXPECT_EQ(receive_all(t, t.start()), *data);

  Transfer cut(open(), negotiate({Opcode::Rrq, "f", "octet", {}}, size, {}), 5);
  auto s = cut.start();
  ASSERT_EQ(s.send.size(), 1u);
  ASSERT_EQ(::truncate(path.c_str(), 1000), 0);
  s = cut.on_ack(1);  // block 2 (bytes 512..1023) is cut short
  EXPECT_TRUE(s.failed);
  EXPECT_TRUE(s.send.empty());
  EXPECT_NE(s.error.find("changed"), std::string::npos) << s.error;
  std::filesystem::remove(path);
}

TEST(Transfer, Netascii) {
  Bytes in = to_bytes("a\nb\rc");
  EXPECT_EQ(to_netascii(in), (Bytes{'a', '\r', '\n', 'b', '\r', 0, 'c'}));
}

// A timeout longer than the server's maximum is ignored, not lowered (RFC 2349 wants it echoed as
// asked): a silent client then holds its slot for max_timeout x (retries + 1) at most.
TEST(Negotiate, ATimeoutOverTheMaximumIsIgnored) {
  auto o = negotiate({Opcode::Rrq, "f", "octet", {{"timeout", "255"}, {"tsize", "0"}}}, 5, {});
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(1000));
  std::vector<std::pair<std::string, std::string>> want{{"tsize", "5"}};
  EXPECT_EQ(o.oack, want);
  auto ten = negotiate({Opcode::Rrq, "f", "octet", {{"timeout", "10"}}}, 5, {});
  EXPECT_EQ(ten.timeout, std::chrono::seconds(10));
  EXPECT_EQ(ten.oack.size(), 1u);
  TransferLimits strict;
  strict.max_timeout = std::chrono::seconds(2);
  EXPECT_TRUE(negotiate({Opcode::Rrq, "f", "octet", {{"timeout", "3"}}}, 5, strict).oack.empty());
}

// The converted size is known only once converted: tsize is not answered for netascii.
TEST(Negotiate, NetasciiDoesNotAnswerTsize) {
  auto o = negotiate({Opcode::Rrq, "f", "netascii", {{"tsize", "0"}, {"blksize", "1024"}}}, 99, {});
  std::vector<std::pair<std::string, std::string>> want{{"blksize", "1024"}};
  EXPECT_EQ(o.oack, want);
}

// Text dense in CR and LF, so that pairs are cut by block ends at every block size.
std::shared_ptr<const Bytes> text_of(std::size_t n, std::uint32_t seed) {
  auto b = std::make_shared<Bytes>(n);
  std::uint32_t x = seed;
  for (auto& c : *b) {
    x = x * 1103515245 + 12345;
    std::uint32_t r = (x >> 16) % 8;
    c = r == 0 ? '\n' : r == 1 ? '\r' : static_cast<std::uint8_t>('a' + r);
  }
  return b;
}

// A receiver with a window that loses a block now and then: ACKs the last block in order, and
// lets the sender time out on some windows, so blocks of the converted stream are made again
// from their cursors.
Bytes receive_lossy(Transfer& t, std::size_t blksize) {
  Bytes got;
  std::uint64_t expected = 1;
  auto s = t.start();
  if (!s.send.empty() && s.send[0][1] == 6) s = t.on_ack(0);
  for (int round = 0; !s.done && !s.failed && round < 100'000; ++round) {
    bool last = false;
    std::size_t in_window = 0;
    for (const auto& pkt : s.send) {
      ++in_window;
      if (block_of(pkt) != static_cast<std::uint16_t>(expected & 0xffff)) continue;
      if (round % 3 == 1 && in_window == 2) break;  // lost: the rest of this window is out of order
      got.insert(got.end(), pkt.begin() + 4, pkt.end());
      last = pkt.size() - 4 < blksize;
      ++expected;
    }
    if (round % 5 == 2 && !last) {
      s = t.on_timeout();  // the ACK was lost: the window from the lowest unacknowledged block
      continue;
    }
    s = t.on_ack(static_cast<std::uint16_t>((expected - 1) & 0xffff));
  }
  EXPECT_TRUE(s.done);
  return got;
}

TEST(Transfer, NetasciiIsConvertedBlockByBlockWithResends) {
  auto path = std::filesystem::temp_directory_path() / ("cucm-netascii-" + std::to_string(::getpid()) + ".txt");
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{5000}}) {
    auto text = text_of(size, static_cast<std::uint32_t>(size) + 1);
    Bytes want = to_netascii(*text);
    ASSERT_TRUE(write_file_atomic(path, *text));
    for (std::size_t blksize : {std::size_t{8}, std::size_t{9}, std::size_t{512}}) {
      for (std::uint16_t window : {std::uint16_t{1}, std::uint16_t{4}}) {
        for (bool from_file : {false, true}) {
          Request req{Opcode::Rrq, "f", "netascii",
                      {{"blksize", std::to_string(blksize)}, {"windowsize", std::to_string(window)}}};
          auto data = [&] {
            if (!from_file) return TransferData(text, Mode::Netascii);
            auto f = open_regular_file(path);
            EXPECT_TRUE(f);
            return TransferData(std::make_shared<const FileHandle>(std::move(f->handle)), f->size, Mode::Netascii);
          }();
          Transfer t(std::move(data), negotiate(req, size, {}), 5);
          EXPECT_EQ(t.total_blocks(), 0u);  // not known before the conversion ends
          EXPECT_EQ(receive_lossy(t, blksize), want)
              << "size " << size << " blksize " << blksize << " window " << window << " file " << from_file;
          EXPECT_EQ(t.total_blocks(), want.size() / blksize + 1);  // an exact multiple ends with an empty block
          if (size == 5000) {
            EXPECT_GT(t.retransmitted(), 0u);  // blocks were made again from their cursors
          }
        }
      }
    }
  }
  std::filesystem::remove(path);
}

// Every block of the converted stream is made from the cursor of the block before: asking for a
// block already acknowledged is a bug, said as such, not bytes from the wrong offset.
TEST(Transfer, NetasciiBlockAskedOutOfOrderIsRefused) {
  TransferData d(text_of(100, 3), Mode::Netascii);
  Bytes out;
  ASSERT_TRUE(d.append_block(1, 8, out));
  ASSERT_TRUE(d.append_block(2, 8, out));
  ASSERT_TRUE(d.append_block(1, 8, out));  // a resend, from its cursor
  EXPECT_FALSE(d.append_block(5, 8, out));  // 3 has not been made yet
  d.forget_before(2);
  auto again = d.append_block(1, 8, out);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::Internal);
}

}  // namespace
}  // namespace cucm::tftp
