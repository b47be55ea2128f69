// Fuzzes the bulk device import: any bytes go through parse_csv and devices_from_csv, and whatever
// devices are read must be valid and must export to CSV that imports back to the same devices.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "db/csv.hpp"
#include "db/device_store.hpp"
#include "db/model.hpp"

namespace cucm::db {
namespace {

// A broken invariant is a bug: abort so libFuzzer records the input.
void require(bool ok) {
  if (!ok) __builtin_trap();
}

// The fields the CSV carries (kCsvColumns); everything else in Device is not in the file.
bool same_csv_fields(const Device& a, const Device& b) {
  if (a.name != b.name || a.description != b.description || a.product != b.product ||
      a.protocol != b.protocol || a.profile != b.profile || a.load_information != b.load_information ||
      a.vpn_group != b.vpn_group || a.capf.operation != b.capf.operation ||
      a.capf.auth_string != b.capf.auth_string || a.lines.size() != b.lines.size()) {
    return false;
  }
  if (a.lines.empty()) return true;
  const Line& x = a.lines.front();
  const Line& y = b.lines.front();
  return x.index == y.index && x.directory_number == y.directory_number && x.display_name == y.display_name &&
         x.auth_name == y.auth_name && x.auth_password == y.auth_password;
}

// Invariants, and why each must hold:
// - parse_csv never returns an empty row: a blank line is skipped, and every other row has at
//   least one field.
// - devices_from_csv accounts for every data row: a header problem is one error on row 0 and no
//   devices; otherwise each data row gives exactly one device or one error naming that row, in
//   row order.
// - Every device read has a name normalise_device_name accepts and leaves unchanged (the import
//   stores the normalised name), and a CAPF operation normalise_capf_operation leaves unchanged.
// - Export of whatever was read is readable: devices_to_csv quotes every field with a comma,
//   quote, CR or LF, so parse_csv must accept it, and importing it must give back the same devices
//   with no errors. Only line 1 is in the CSV, and the import makes at most that one line.
void fuzz_one(std::string_view text) {
  auto rows = parse_csv(text);
  if (!rows) {
    require(rows.error().code == Errc::InvalidArgument);
    return;
  }
  for (const auto& row : *rows) require(!row.empty());

  std::vector<RowError> errors;
  std::vector<Device> devices = devices_from_csv(*rows, errors);
  bool header_error = !errors.empty() && errors.front().row == 0;
  if (rows->empty() || header_error) {
    require(devices.empty() && errors.size() == 1 && errors.front().row == 0);
  } else {
    require(devices.size() + errors.size() == rows->size() - 1);
    for (std::size_t i = 0; i < errors.size(); ++i) {
      require(errors[i].row >= 1 && errors[i].row < rows->size());
      require(i == 0 || errors[i - 1].row < errors[i].row);
      require(!errors[i].message.empty());
    }
  }

  for (const Device& d : devices) {
    auto name = normalise_device_name(d.name);
    require(name.has_value() && *name == d.name);
    auto op = normalise_capf_operation(d.capf.operation);
    require(op.has_value() && *op == d.capf.operation);
    require(d.lines.size() <= 1);
    if (!d.lines.empty()) require(d.lines.front().index == 1 && !d.lines.front().directory_number.empty());
  }

  std::string exported = devices_to_csv(devices);
  auto again = parse_csv(exported);
  require(again.has_value());
  require(again->size() == devices.size() + 1);

  std::vector<RowError> again_errors;
  std::vector<Device> reread = devices_from_csv(*again, again_errors);
  require(again_errors.empty());
  require(reread.size() == devices.size());
  for (std::size_t i = 0; i < devices.size(); ++i) require(same_csv_fields(devices[i], reread[i]));
}

}  // namespace
}  // namespace cucm::db

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::db::fuzz_one(cucm::as_chars(cucm::ByteView(data, size)));
  return 0;
}
