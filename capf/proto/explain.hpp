// A CAPF message as a teacher reads it (phone boot --explain): the header, then every element in
// wire order with its tag, length and value, certificates as subject and MD5 (PROTOCOLS §3.2-3.4).
// Reads any bytes: what does not parse is said in a line, never thrown.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace cucm::capf {

// One line for the header, one per element; a line starting "malformed:" where the bytes stop
// making sense.
std::vector<std::string> explain_message(ByteView wire);

}  // namespace cucm::capf
