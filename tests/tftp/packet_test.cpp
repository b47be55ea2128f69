// TFTP packet codec: golden bytes, options, and malformed packets.
#include "tftp/packet.hpp"

#include <gtest/gtest.h>

#include "core/encoding.hpp"

namespace cucm::tftp {
namespace {

Bytes hex(const char* h) { return *from_hex(h); }

TEST(Packet, RrqWithOptions) {
  // RRQ "SEP001122334455.cnf.xml.sgn" octet blksize 1428 tsize 0
  Request r{Opcode::Rrq, "SEP001122334455.cnf.xml.sgn", "octet", {{"blksize", "1428"}, {"tsize", "0"}}};
  Bytes wire = build_request(r);
  EXPECT_EQ(to_hex(ByteView(wire).first(2)), "0001");
  auto p = parse_packet(wire);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_TRUE(p->request);
  EXPECT_EQ(p->request->filename, r.filename);
  EXPECT_EQ(p->request->mode, "octet");
  EXPECT_EQ(p->request->options, r.options);
  // Mode and option names are case-insensitive.
  auto upper = parse_packet(build_request({Opcode::Rrq, "x", "NetAscii", {{"BLKSIZE", "512"}}}));
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->request->mode, "netascii");
  EXPECT_EQ(upper->request->options[0].first, "blksize");
}

TEST(Packet, GoldenBuilders) {
  EXPECT_EQ(build_ack(0x1234), hex("00041234"));
  EXPECT_EQ(build_data(1, to_bytes("ab")), hex("000300016162"));
  EXPECT_EQ(build_error(ErrorCode::FileNotFound, "File not found"), hex("00050001" "46696c65206e6f7420666f756e64" "00"));
  EXPECT_EQ(build_oack({{"blksize", "1428"}}), hex("0006" "626c6b73697a6500" "3134323800"));
}

TEST(Packet, AckDataError) {
  auto ack = parse_packet(hex("0004ffff"));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->opcode, Opcode::Ack);
  EXPECT_EQ(ack->block, 0xffff);
  auto err = parse_packet(hex("0005000868656c6c6f00"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->error, ErrorCode::OptionRefused);
  EXPECT_EQ(err->message, "hello");
  auto unterminated = parse_packet(hex("00050000616263"));
  ASSERT_TRUE(unterminated);
  EXPECT_EQ(unterminated->message, "abc");
}

struct Bad {
  const char* name;
  const char* hex;
  const char* message;
};

TEST(Packet, MalformedGetsANamedError) {
  const Bad cases[] = {
      {"empty", "", "opcode at offset 0: needs 2 bytes"},
      {"one byte", "00", "opcode at offset 0: needs 2 bytes"},
      {"unknown opcode", "0009", "unknown value 9"},
      {"oack from client", "0006", "OACK is sent by servers"},
      {"ack without block", "000400", "block number at offset 2"},
      {"rrq no nul", "000161", "file name at offset 2: no terminating NUL"},
      {"rrq empty name", "0001006f6374657400", "file name at offset 2: empty"},
      {"rrq no mode", "00016100", "mode at offset 4: no terminating NUL"},
      {"rrq bad mode", "000161006d61696c00", "mode 'mail' vs octet or netascii"},
      {"option without value", "000161006f6374657400626c6b73697a6500", "has no value"},
  };
  for (const auto& c : cases) {
    auto p = parse_packet(hex(c.hex));
    ASSERT_FALSE(p) << c.name;
    EXPECT_NE(p.error().message.find(c.message), std::string::npos) << c.name << ": " << p.error().message;
  }
  Bytes huge = build_request({Opcode::Rrq, std::string(600, 'a'), "octet", {}});
  auto p = parse_packet(huge);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("exceeds 512"), std::string::npos);
}

TEST(Packet, EveryPrefixOfARequestFailsCleanly) {
  Bytes wire = build_request({Opcode::Rrq, "ITLSEP001122334455.tlv", "octet", {{"tsize", "0"}}});
  // Only the prefix that ends right after the mode's NUL is itself a complete request.
  std::size_t without_options = 2 + 23 + 6;
  for (std::size_t n = 0; n < wire.size(); ++n) {
    auto p = parse_packet(ByteView(wire).first(n));
    EXPECT_EQ(p.has_value(), n == without_options) << n;
  }
  EXPECT_TRUE(parse_packet(wire));
}

}  // namespace
}  // namespace cucm::tftp
