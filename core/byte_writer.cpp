// Big-endian writers.
#include "core/byte_writer.hpp"

#include <cassert>

namespace cucm {

void ByteWriter::u16be(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  out_.push_back(static_cast<std::uint8_t>(v));
}

void ByteWriter::u32be(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>(v >> shift));
}

void ByteWriter::patch_u16be(std::size_t at, std::uint16_t v) {
  assert(at + 2 <= out_.size() && "patch_u16be past the end");
  out_[at] = static_cast<std::uint8_t>(v >> 8);
  out_[at + 1] = static_cast<std::uint8_t>(v);
}

}  // namespace cucm
