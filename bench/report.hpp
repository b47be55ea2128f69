// What the C++ benchmarks share to write their figures: a percentile of sorted samples and a
// string made safe for the JSON line the report scripts read.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace cucm::bench {

// The p-quantile (0..1) of samples already sorted ascending; 0 for none.
inline double pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size()));
  return sorted[std::min(sorted.size() - 1, i)];
}

// Quotes and backslashes escaped, control characters dropped: our own labels and error texts only.
inline std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o += c;
  }
  return o;
}

}  // namespace cucm::bench
