// Column-aligned text tables, laid out like CUCM's `run sql` output.
#pragma once

#include <string>
#include <vector>

namespace cucm::app {

// Header row, a rule of '=' under each column, then the rows; columns padded to their widest cell.
std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace cucm::app
