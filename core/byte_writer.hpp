// ByteWriter: big-endian serialisation into a growing buffer.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"

namespace cucm {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16be(std::uint16_t v);
  void u32be(std::uint32_t v);
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void text(std::string_view s) { bytes(as_bytes(s)); }
  // Overwrite a u16 written earlier (for lengths known only after the children).
  void patch_u16be(std::size_t at, std::uint16_t v);

  std::size_t size() const { return out_.size(); }
  const Bytes& data() const& { return out_; }
  Bytes take() && { return std::move(out_); }

 private:
  Bytes out_;
};

}  // namespace cucm
