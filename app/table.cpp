// Table layout.
#include "app/table.hpp"

#include <algorithm>

namespace cucm::app {

std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < width.size(); ++c) {
      std::string cell = c < cells.size() ? cells[c] : "";
      if (c + 1 < width.size()) cell.resize(width[c], ' ');
      out += cell;
      if (c + 1 < width.size()) out.push_back(' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  std::vector<std::string> rule;
  for (auto w : width) rule.emplace_back(w, '=');
  out += line(rule);
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace cucm::app
