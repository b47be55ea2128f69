// The text exposition format: escaping, number formatting, and the checks that keep a family
// well formed.
#include "metrics/text_writer.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace cucm::metrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}

std::string_view type_name(Type t) {
  switch (t) {
    case Type::Counter: return "counter";
    case Type::Gauge: return "gauge";
    case Type::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }

bool valid_label_name(std::string_view name) { return valid_name(name, false) && !name.starts_with("__"); }

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Below 2^53 an integral double prints as an integer ("3", not "3.0" or "3e+00"); fmt's
  // shortest round-trip form covers the rest.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);
}

void TextWriter::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

void TextWriter::family(std::string_view name, Type type, std::string_view help) {
  std::string n(name);
  if (!valid_metric_name(name)) return fail(fmt::format("metrics: family name '{}' is not a valid metric name", n));
  if (type == Type::Counter && !name.ends_with("_total")) {
    return fail(fmt::format("metrics: counter '{}' must be named ..._total", n));
  }
  if (std::find(seen_.begin(), seen_.end(), n) != seen_.end()) {
    return fail(fmt::format("metrics: family '{}' written twice (its samples must be together)", n));
  }
  seen_.push_back(n);
  name_ = std::move(n);
  type_ = type;
  open_ = true;
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name_, escape_help(help), name_, type_name(type));
}

bool TextWriter::check_sample(bool histogram, Labels labels) {
  if (!open_) {
    fail("metrics: a sample before any family");
    return false;
  }
  if ((type_ == Type::Histogram) != histogram) {
    fail(fmt::format("metrics: family '{}' is a {}: wrong kind of sample", name_, type_name(type_)));
    return false;
  }
  for (const auto& l : labels) {
    if (!valid_label_name(l.name) || (type_ == Type::Histogram && l.name == "le")) {
      fail(fmt::format("metrics: family '{}': label name '{}' is not valid here", name_, std::string(l.name)));
      return false;
    }
  }
  return true;
}

// One line's name and labels (and `extra`, the histogram's `le`, last).
void TextWriter::series(std::string_view suffix, Labels labels, const Label* extra) {
  out_ += name_;
  out_ += suffix;
  if (labels.size() == 0 && !extra) return;
  char sep = '{';
  auto put = [&](const Label& l) {
    fmt::format_to(std::back_inserter(out_), "{}{}=\"{}\"", sep, l.name, escape_label_value(l.value));
    sep = ',';
  };
  for (const auto& l : labels) put(l);
  if (extra) put(*extra);
  out_ += '}';
}

void TextWriter::sample(Labels labels, std::uint64_t value) {
  if (!check_sample(false, labels)) return;
  series("", labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void TextWriter::sample(Labels labels, double value) {
  if (!check_sample(false, labels)) return;
  series("", labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", format_value(value));
}

void TextWriter::histogram(Labels labels, const Histogram& h) {
  if (!check_sample(true, labels)) return;
  Histogram::Snapshot s = h.snapshot();
  auto bounds = h.bounds();
  for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
    std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
    Label extra{"le", le};
    series("_bucket", labels, &extra);
    fmt::format_to(std::back_inserter(out_), " {}\n", s.cumulative[i]);
  }
  series("_sum", labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", format_value(s.sum_seconds));
  series("_count", labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", s.count());
}

Result<std::string> TextWriter::finish() && {
  if (!error_.empty()) return make_error(Errc::Internal, error_);
  return std::move(out_);
}

}  // namespace cucm::metrics
