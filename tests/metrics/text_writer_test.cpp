// The text exposition format as Prometheus reads it: HELP and TYPE lines, label escaping,
// cumulative histogram buckets up to +Inf, number formatting, call order kept, misuse refused.
#include "metrics/text_writer.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace cucm::metrics {
namespace {

std::string finished(TextWriter&& w) {
  auto text = std::move(w).finish();
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

std::string error_of(TextWriter&& w) {
  auto text = std::move(w).finish();
  EXPECT_FALSE(text);
  if (text) return {};
  EXPECT_EQ(text.error().code, Errc::Internal);
  return text.error().message;
}

TEST(TextWriter, CounterAndGaugeFamilies) {
  TextWriter w;
  w.family("cucm_requests_total", Type::Counter, "Requests answered.");
  w.sample({{"protocol", "http"}, {"outcome", "ok"}}, std::uint64_t{3});
  w.sample({{"protocol", "http"}, {"outcome", "not_found"}}, std::uint64_t{0});
  w.family("cucm_connections_open", Type::Gauge, "Connections open now.");
  w.sample({}, std::uint64_t{18446744073709551615u});
  EXPECT_EQ(finished(std::move(w)),
            "# HELP cucm_requests_total Requests answered.\n"
            "# TYPE cucm_requests_total counter\n"
            "cucm_requests_total{protocol=\"http\",outcome=\"ok\"} 3\n"
            "cucm_requests_total{protocol=\"http\",outcome=\"not_found\"} 0\n"
            "# HELP cucm_connections_open Connections open now.\n"
            "# TYPE cucm_connections_open gauge\n"
            "cucm_connections_open 18446744073709551615\n");
}

TEST(TextWriter, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value(R"(a\b"c)" "\nd"), R"(a\\b\"c\nd)");
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_help("back\\slash \"quoted\"\nnext"), R"(back\\slash "quoted"\nnext)");
  TextWriter w;
  w.family("x_total", Type::Counter, "line one\nline two");
  w.sample({{"path", "C:\\dir \"q\"\n"}}, std::uint64_t{1});
  EXPECT_EQ(finished(std::move(w)),
            "# HELP x_total line one\\nline two\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"C:\\\\dir \\\"q\\\"\\n\"} 1\n");
}

TEST(TextWriter, HistogramBucketsAreCumulativeUpToInf) {
  constexpr std::array<double, 3> kBounds{0.001, 0.01, 0.1};
  Histogram h(kBounds);
  using std::chrono::microseconds;
  h.observe(microseconds(500));    // first bucket
  h.observe(microseconds(1000));   // exactly on a bound: `le` includes it
  h.observe(microseconds(5000));   // second
  h.observe(microseconds(50000));  // third
  h.observe(std::chrono::seconds(2));  // past every bound: +Inf only
  TextWriter w;
  w.family("cucm_http_request_duration_seconds", Type::Histogram, "Time to answer.");
  w.histogram({{"protocol", "http"}}, h);
  EXPECT_EQ(finished(std::move(w)),
            "# HELP cucm_http_request_duration_seconds Time to answer.\n"
            "# TYPE cucm_http_request_duration_seconds histogram\n"
            "cucm_http_request_duration_seconds_bucket{protocol=\"http\",le=\"0.001\"} 2\n"
            "cucm_http_request_duration_seconds_bucket{protocol=\"http\",le=\"0.01\"} 3\n"
            "cucm_http_request_duration_seconds_bucket{protocol=\"http\",le=\"0.1\"} 4\n"
            "cucm_http_request_duration_seconds_bucket{protocol=\"http\",le=\"+Inf\"} 5\n"
            "cucm_http_request_duration_seconds_sum{protocol=\"http\"} 2.0565\n"
            "cucm_http_request_duration_seconds_count{protocol=\"http\"} 5\n");
}

TEST(TextWriter, HistogramWithoutLabelsAndEmpty) {
  Histogram h(kFastSeconds);
  TextWriter w;
  w.family("b_seconds", Type::Histogram, "h");
  w.histogram({}, h);
  std::string text = finished(std::move(w));
  EXPECT_NE(text.find("b_seconds_bucket{le=\"0.0005\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("b_seconds_bucket{le=\"10\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("b_seconds_bucket{le=\"+Inf\"} 0\nb_seconds_sum 0\nb_seconds_count 0\n"), std::string::npos) << text;
}

TEST(TextWriter, FormatsNumbersAsPrometheusReadsThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(1), "1");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(0.0005), "0.0005");
  EXPECT_EQ(format_value(1e-05), "1e-05");
  EXPECT_EQ(format_value(2.0565), "2.0565");
  EXPECT_EQ(format_value(1.5e300), "1.5e+300");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  // Every finite text reads back as the same double.
  for (double v : {0.1, 1.0 / 3, 123456.789, 9007199254740993.0, 1e-300}) {
    EXPECT_EQ(std::stod(format_value(v)), v) << format_value(v);
  }
  TextWriter w;
  w.family("g", Type::Gauge, "g");
  w.sample({}, 0.5);
  w.sample({{"k", "v"}}, std::numeric_limits<double>::infinity());
  EXPECT_EQ(finished(std::move(w)), "# HELP g g\n# TYPE g gauge\ng 0.5\ng{k=\"v\"} +Inf\n");
}

TEST(TextWriter, KeepsTheOrderItIsGiven) {
  auto write = [] {
    TextWriter w;
    for (const char* name : {"zeta_total", "alpha_total", "mid_total"}) {
      w.family(name, Type::Counter, "c");
      w.sample({{"z", "1"}, {"a", "2"}}, std::uint64_t{1});
    }
    return finished(std::move(w));
  };
  std::string first = write();
  EXPECT_EQ(first, write());
  EXPECT_LT(first.find("zeta_total"), first.find("alpha_total"));
  EXPECT_LT(first.find("alpha_total"), first.find("mid_total"));
  EXPECT_NE(first.find("{z=\"1\",a=\"2\"}"), std::string::npos);
}

TEST(TextWriter, RefusesMisuse) {
  {
    TextWriter w;
    w.family("a_total", Type::Counter, "c");
    w.family("a_total", Type::Counter, "c");
    EXPECT_NE(error_of(std::move(w)).find("written twice"), std::string::npos);
  }
  {
    TextWriter w;
    w.family("requests", Type::Counter, "c");
    EXPECT_NE(error_of(std::move(w)).find("_total"), std::string::npos);
  }
  {
    TextWriter w;
    w.family("bad-name", Type::Gauge, "g");
    EXPECT_NE(error_of(std::move(w)).find("'bad-name'"), std::string::npos);
  }
  {
    TextWriter w;
    w.sample({}, std::uint64_t{1});
    EXPECT_NE(error_of(std::move(w)).find("before any family"), std::string::npos);
  }
  {
    Histogram h(kFastSeconds);
    TextWriter w;
    w.family("h_seconds", Type::Histogram, "h");
    w.histogram({{"le", "1"}}, h);
    EXPECT_NE(error_of(std::move(w)).find("'le'"), std::string::npos);
  }
  {
    Histogram h(kFastSeconds);
    TextWriter w;
    w.family("c_total", Type::Counter, "c");
    w.histogram({}, h);
    EXPECT_NE(error_of(std::move(w)).find("wrong kind"), std::string::npos);
  }
  {
    TextWriter w;
    w.family("g", Type::Gauge, "g");
    w.sample({{"__reserved", "x"}}, std::uint64_t{1});
    EXPECT_NE(error_of(std::move(w)).find("'__reserved'"), std::string::npos);
  }
}

TEST(TextWriter, Names) {
  EXPECT_TRUE(valid_metric_name("cucm_requests_total"));
  EXPECT_TRUE(valid_metric_name("ns:metric_1"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("1abc"));
  EXPECT_FALSE(valid_metric_name("a b"));
  EXPECT_TRUE(valid_label_name("outcome"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_FALSE(valid_label_name("9"));
}

}  // namespace
}  // namespace cucm::metrics
