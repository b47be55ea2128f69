// Bulk import/export of devices as CSV, like CUCM's Bulk Administration Tool.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/device_store.hpp"
#include "db/model.hpp"

namespace cucm::db {

// Header row written by export and expected by import (columns may come in any order; unknown
// columns are an error, missing optional ones take defaults). One line per device (line 1 only
// for the line columns; `device set` manages further lines).
inline constexpr std::string_view kCsvColumns =
    "name,description,product,protocol,profile,load_information,vpn_group,directory_number,display_name,"
    "auth_name,auth_password,capf_operation,capf_auth_string";

// RFC 4180 fields: quotes, doubled quotes, commas and newlines inside quotes. InvalidArgument
// naming the line for an unterminated quote.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);
std::string csv_escape(std::string_view field);

// Rows to devices: per-row errors go into `errors`, the good rows are returned.
std::vector<Device> devices_from_csv(const std::vector<std::vector<std::string>>& rows, std::vector<RowError>& errors);
std::string devices_to_csv(const std::vector<Device>& devices);

}  // namespace cucm::db
