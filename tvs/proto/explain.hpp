// A TVS message as a teacher reads it (phone boot --explain): the header, then every element with
// its tag, length and value; the certificate as subject and MD5, roles by name (PROTOCOLS §4,
// §5.5). Reads any bytes: what does not parse is said in a line, never thrown.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace cucm::tvs {

std::vector<std::string> explain_message(ByteView wire);

}  // namespace cucm::tvs
