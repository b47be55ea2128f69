// Bounds-checked reads with messages that name the field, the offset and the shortfall.
#include "core/byte_reader.hpp"

#include <fmt/format.h>

namespace cucm {

Error ByteReader::short_read(std::string_view field, std::size_t wanted) const {
  return make_error(Errc::InvalidArgument,
                    fmt::format("{}: {} at offset {}: needs {} bytes but only {} remain", context_,
                                field, offset(), wanted, remaining()));
}

Error ByteReader::error(std::string_view field, std::string_view problem) const {
  return make_error(Errc::InvalidArgument,
                    fmt::format("{}: {} at offset {}: {}", context_, field, offset(), problem));
}

Result<std::uint8_t> ByteReader::peek_u8(std::string_view field) const {
  if (remaining() < 1) return short_read(field, 1);
  return data_[pos_];
}

Result<std::uint8_t> ByteReader::u8(std::string_view field) {
  if (remaining() < 1) return short_read(field, 1);
  return data_[pos_++];
}

Result<std::uint16_t> ByteReader::u16be(std::string_view field) {
  if (remaining() < 2) return short_read(field, 2);
  auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

Result<std::uint32_t> ByteReader::u32be(std::string_view field) {
  if (remaining() < 4) return short_read(field, 4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += 4;
  return v;
}

Result<ByteView> ByteReader::take(std::size_t n, std::string_view field) {
  if (remaining() < n) return short_read(field, n);
  auto v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

}  // namespace cucm
