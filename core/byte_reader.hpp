// ByteReader: the only way untrusted bytes are read; every read is bounds-checked.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm {

class ByteReader {
 public:
  // `context` prefixes every error message ("sgn", "capf", ...); `base` is the offset of data[0]
  // inside the enclosing file, so nested readers report file offsets.
  ByteReader(ByteView data, std::string context, std::size_t base = 0)
      : data_(data), context_(std::move(context)), base_(base) {}

  std::size_t offset() const { return base_ + pos_; }  // absolute, for messages
  std::size_t position() const { return pos_; }        // relative to data[0]
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }

  // Each returns Errc::InvalidArgument naming `field`, the offset, and wanted vs remaining.
  Result<std::uint8_t> u8(std::string_view field);
  Result<std::uint16_t> u16be(std::string_view field);
  Result<std::uint32_t> u32be(std::string_view field);
  Result<ByteView> take(std::size_t n, std::string_view field);
  Result<std::uint8_t> peek_u8(std::string_view field) const;

  Error error(std::string_view field, std::string_view problem) const;

 private:
  Error short_read(std::string_view field, std::size_t wanted) const;

  ByteView data_;
  std::string context_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

}  // namespace cucm
