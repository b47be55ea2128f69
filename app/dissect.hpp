// Human and JSON views of parsed signed files, laid out like a packet dissector.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "signer/tlv_header.hpp"
#include "signer/trust_list.hpp"

namespace cucm::app {

// "offset  tag  name  length  value" rows; long hex values are cut in the text view only.
void print_trace(const std::vector<signer::FieldTrace>& trace);
nlohmann::json trace_json(const std::vector<signer::FieldTrace>& trace);
nlohmann::json header_json(const signer::ParsedHeader& parsed);
nlohmann::json records_json(const std::vector<signer::TrustRecord>& records);

}  // namespace cucm::app
