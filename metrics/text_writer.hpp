// The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` per family, then its
// samples; counters named `_total`; histograms as cumulative `_bucket{le=...}` up to `+Inf`, then
// `_sum` and `_count`. Families and labels come out in the order they are given, so two scrapes
// list the same series in the same order.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "metrics/histogram.hpp"

namespace cucm::metrics {

enum class Type : std::uint8_t { Counter, Gauge, Histogram };

// A label value must come from an enum's name or a fixed string of ours, never from a request:
// every distinct value is a series the scraper keeps forever.
struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::initializer_list<Label>;

// The media type of the text this writes.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

class TextWriter {
 public:
  // Starts a family: its HELP and TYPE lines. Each family once, its samples right after it.
  void family(std::string_view name, Type type, std::string_view help);
  // A sample of the current counter or gauge family.
  void sample(Labels labels, std::uint64_t value);
  void sample(Labels labels, double value);
  // The buckets, sum and count of the current histogram family.
  void histogram(Labels labels, const Histogram& h);
  // The text; Internal naming the first misuse when a family came twice, a name or label name
  // is not valid, a counter's name lacks `_total`, or a sample does not fit its family. The
  // families written are ours, so any of these is a bug.
  Result<std::string> finish() &&;

 private:
  bool check_sample(bool histogram, Labels labels);  // false (and the error kept) when it does not fit
  void fail(std::string message);
  void series(std::string_view suffix, Labels labels, const Label* extra);

  std::string out_;
  std::string name_;  // the current family
  Type type_ = Type::Gauge;
  bool open_ = false;
  std::vector<std::string> seen_;
  std::string error_;
};

// Helpers the writer uses, public for their tests.
// `value` escaped for inside a label's double quotes: backslash, double quote and line feed.
std::string escape_label_value(std::string_view value);
// `text` escaped for a HELP line: backslash and line feed.
std::string escape_help(std::string_view text);
// A sample value: integers exactly; otherwise the shortest text that reads back as the same
// double, and `+Inf`, `-Inf`, `NaN` as the format spells them.
std::string format_value(double value);
// [a-zA-Z_:][a-zA-Z0-9_:]* for a metric; [a-zA-Z_][a-zA-Z0-9_]* for a label, without the
// reserved `__` prefix.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace cucm::metrics
