// ByteReader and ByteWriter: bounds, big-endian order and error messages.
#include <gtest/gtest.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace cucm {
namespace {

TEST(ByteReader, ReadsBigEndianAndTracksOffset) {
  Bytes data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  ByteReader r(data, "test", 100);
  EXPECT_EQ(*r.u8("a"), 0x01);
  EXPECT_EQ(*r.u16be("b"), 0x0203);
  EXPECT_EQ(*r.u32be("c"), 0x04050607u);
  EXPECT_EQ(r.offset(), 107u);
  EXPECT_EQ(r.remaining(), 2u);
  auto t = r.take(2, "d");
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)[1], 0x09);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ShortReadsNameFieldOffsetAndShortfall) {
  Bytes data{0xAA, 0xBB, 0xCC};
  ByteReader r(data, "capf", 10);
  ASSERT_TRUE(r.u16be("id"));
  auto v = r.u32be("SID");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::InvalidArgument);
  EXPECT_EQ(v.error().message, "capf: SID at offset 12: needs 4 bytes but only 1 remain");
  // A failed read consumes nothing.
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.take(2, "value"));
  EXPECT_TRUE(r.take(1, "value"));
  EXPECT_FALSE(r.u8("tag"));
  EXPECT_FALSE(r.peek_u8("tag"));
}

TEST(ByteReader, EmptyInput) {
  ByteReader r(ByteView{}, "x");
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8("tag"));
  EXPECT_TRUE(r.take(0, "nothing"));
}

TEST(ByteWriter, WritesBigEndianAndPatches) {
  ByteWriter w;
  w.u8(1);
  w.u16be(0);
  w.u32be(0xDEADBEEF);
  w.text("ab");
  w.patch_u16be(1, 0x1234);
  Bytes want{0x01, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 'a', 'b'};
  EXPECT_EQ(w.data(), want);
}

}  // namespace
}  // namespace cucm
