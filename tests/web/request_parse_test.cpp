// The request text the admin site reads: targets, queries, cookies, bearer tokens, JSON fields.
#include <gtest/gtest.h>

#include "web/json_fields.hpp"
#include "web/request_parse.hpp"

namespace cucm::web {
namespace {

TEST(RequestParse, ATargetIsDecodedIntoPathAndQuery) {
  auto t = parse_target("/api/v1/profiles/Lab%208845?q=lab+phone&offset=10&flag&q2=%2F");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/v1/profiles/Lab 8845");
  EXPECT_EQ(t->query.at("q"), "lab phone");
  EXPECT_EQ(t->query.at("offset"), "10");
  EXPECT_EQ(t->query.at("flag"), "");
  EXPECT_EQ(t->query.at("q2"), "/");
}

TEST(RequestParse, BadTargetsAreRefused) {
  for (const char* bad : {"", "api/v1", "/a%", "/a%4", "/a%zz", "/a%00b", "/?q=%0a", "http://x/"}) {
    EXPECT_FALSE(parse_target(bad)) << bad;
  }
  // A '+' in the path stays a '+'.
  EXPECT_EQ(parse_target("/a+b")->path, "/a+b");
}

TEST(RequestParse, CookiesAndBearerTokens) {
  EXPECT_EQ(cookie_value("a=1; cucm_session=xyz; b=2", "cucm_session"), "xyz");
  EXPECT_EQ(cookie_value("cucm_session_old=1;cucm_session = abc ", "cucm_session"), "abc");
  EXPECT_EQ(cookie_value("a=1; b", "cucm_session"), "");
  EXPECT_EQ(bearer_token("Bearer cucm_abc"), "cucm_abc");
  EXPECT_EQ(bearer_token("bearer   cucm_abc  "), "cucm_abc");
  EXPECT_EQ(bearer_token("Basic YWRtaW4="), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(parse_count("100", "limit", 1000).value(), 100u);
  for (const char* bad : {"", "-1", "1001", "1e3", "99999999999999999999999", " 1"}) {
    EXPECT_FALSE(parse_count(bad, "limit", 1000)) << bad;
  }
  EXPECT_EQ(parse_count("x", "limit", 1000).error().message, "'limit' must be a number from 0 to 1000");
  EXPECT_EQ(path_segments("//api/v1//devices/"), (std::vector<std::string>{"api", "v1", "devices"}));
}

TEST(JsonFields, TypesAreCheckedAndUnknownFieldsNamed) {
  auto f = Fields::parse(R"({"name":"x","n":3,"b":true,"l":[{"directory_number":"1001"}],"nil":null})");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->text("name")->value(), "x");
  EXPECT_EQ(f->integer("n")->value(), 3);
  EXPECT_TRUE(f->flag("b")->value());
  EXPECT_FALSE(f->text("nil")->has_value());
  EXPECT_FALSE(f->text("absent")->has_value());
  auto lines = f->lines("l");
  ASSERT_TRUE(lines);
  ASSERT_EQ((*lines)->size(), 1u);
  EXPECT_EQ((**lines)[0].directory_number, "1001");
  EXPECT_EQ((**lines)[0].index, 1);
  EXPECT_EQ(f->text("n").error().message, "field 'n' must be a string");
  EXPECT_FALSE(f->integer("name"));
  auto only = f->only({"name"});
  ASSERT_FALSE(only);
  EXPECT_NE(only.error().message.find("unknown field 'b'; the fields are: name"), std::string::npos)
      << only.error().message;
  EXPECT_FALSE(Fields::parse("[1,2]"));
  EXPECT_FALSE(Fields::parse("{"));
  EXPECT_TRUE(Fields::parse(""));
  EXPECT_FALSE(Fields::parse(R"({"l":[{"directory_number":1}]})")->lines("l"));
  EXPECT_FALSE(Fields::parse(R"({"n":1e300})")->integer("n"));
  EXPECT_FALSE(Fields::parse(R"({"n":99999999999})")->integer("n"));
}

}  // namespace
}  // namespace cucm::web
