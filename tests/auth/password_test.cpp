// scrypt hashes: round trip, a standard scrypt's value, tampered and malformed stored strings, the
// parameters' bounds, and the rules for new passwords and user names.
#include <gtest/gtest.h>

#include "auth/password.hpp"
#include "core/encoding.hpp"

namespace cucm::auth {
namespace {

constexpr ScryptParams kFast{10, 8, 1};

// scrypt("correct horse battery", salt 00 01 … 0f, N=1024, r=8, p=1), made with
// `openssl kdf -keylen 32 -kdfopt pass:"correct horse battery" -kdfopt hexsalt:000102…0f
// -kdfopt n:1024 -kdfopt r:8 -kdfopt p:1 SCRYPT` and Python's hashlib.scrypt, which agree.
constexpr const char* kKnown = "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=";

TEST(AuthPassword, HashVerifiesItsPasswordAndNoOther) {
  auto h = hash_password("correct horse battery", kFast);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->rfind("$scrypt$ln=10,r=8,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password("correct horse battery", *h));
  EXPECT_FALSE(verify_password("correct horse batterY", *h));
  EXPECT_FALSE(verify_password("", *h));
  auto parsed = parse_scrypt_hash(*h);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->salt.size(), kSaltSize);
  EXPECT_EQ(parsed->hash.size(), kHashSize);
  // A fresh salt each time: the same password never gives the same row.
  auto again = hash_password("correct horse battery", kFast);
  ASSERT_TRUE(again);
  EXPECT_NE(*again, *h);
}

TEST(AuthPassword, DefaultIsLn15R8P1) {
  auto h = hash_password("the default cost, once");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->rfind("$scrypt$ln=15,r=8,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password("the default cost, once", *h));
}

TEST(AuthPassword, MatchesAStandardScrypt) {
  EXPECT_TRUE(verify_password("correct horse battery", kKnown));
  EXPECT_FALSE(verify_password("correct horse batter", kKnown));
  auto parsed = parse_scrypt_hash(kKnown);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->params, kFast);
  EXPECT_EQ(to_hex(parsed->hash), "84a1962f6d96b5d19f21bc443c0674e814b66d6c982ae6482afca97c09583969");
  EXPECT_EQ(build_scrypt_hash(*parsed), kKnown);
}

TEST(AuthPassword, MalformedOrTamperedStoredStringsAreRefused) {
  const std::string good = kKnown;
  const std::pair<std::string, std::string> cases[] = {
      {"", "$scrypt$"},
      {"$2b$12$abcdefghijklmnopqrstuv", "$scrypt$"},
      {"$scrypt$", "ln"},
      {"$scrypt$ln=10,r=8$AAECAwQFBgcICQoLDA0ODw==$x", "r missing"},
      {"$scrypt$ln=010,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "ln missing"},
      {"$scrypt$ln=+9,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "ln missing"},
      {"$scrypt$ln=-1,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "ln missing"},
      {"$scrypt$ln= 10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "ln missing"},
      {"$scrypt$ln=10,p=1,r=8$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "r missing"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==", "no '$'"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0O$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "salt"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "salt"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODx==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=", "salt"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk", "hash"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=$", "hash"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk= ", "hash"},
      {"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$AAAA", "hash"},
      {std::string("$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==") + '\0' + "$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
       "salt"},
  };
  for (const auto& [stored, why] : cases) {
    auto parsed = parse_scrypt_hash(stored);
    ASSERT_FALSE(parsed) << stored;
    EXPECT_NE(parsed.error().message.find(why), std::string::npos) << stored << ": " << parsed.error().message;
    EXPECT_FALSE(verify_password("correct horse battery", stored)) << stored;
  }
  // One byte of the hash changed: well formed, but not this password's.
  std::string flipped = good;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(parse_scrypt_hash(flipped));
  EXPECT_FALSE(verify_password("correct horse battery", flipped));
  // Every prefix of a good string is refused without a crash.
  for (std::size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(parse_scrypt_hash(good.substr(0, n))) << n;
}

std::string with_params(const std::string& params) {
  return "$scrypt$" + params + "$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=";
}

TEST(AuthPassword, ParametersOutsideTheirBoundsAreRefusedBeforeAnyWork) {
  // Each of these would cost gigabytes or minutes if a tampered row were believed.
  const std::pair<const char*, const char*> refused[] = {
      {"ln=9,r=8,p=1", "ln out of bounds (9 vs 10..20)"},
      {"ln=21,r=8,p=1", "ln out of bounds (21 vs 10..20)"},
      {"ln=99,r=8,p=1", "ln out of bounds"},
      {"ln=10,r=0,p=1", "r out of bounds (0 vs 1..32)"},
      {"ln=10,r=33,p=1", "r out of bounds"},
      {"ln=10,r=8,p=0", "p out of bounds (0 vs 1..16)"},
      {"ln=10,r=8,p=17", "p out of bounds"},
      {"ln=20,r=32,p=1", "needs 4096 MiB (vs at most 256 MiB)"},
      {"ln=20,r=4,p=1", "needs 512 MiB"},
      {"ln=20,r=2,p=16", "2^ln r p is 33554432"},
      {"ln=100,r=8,p=1", "ln missing or not a number"},
      {"ln=99999999999999999999,r=8,p=1", "ln missing or not a number"},
  };
  for (auto [params, why] : refused) {
    auto parsed = parse_scrypt_hash(with_params(params));
    ASSERT_FALSE(parsed) << params;
    EXPECT_NE(parsed.error().message.find(why), std::string::npos) << params << ": " << parsed.error().message;
    EXPECT_FALSE(verify_password("x", with_params(params)));
  }
  for (const char* params : {"ln=10,r=1,p=1", "ln=20,r=1,p=1", "ln=20,r=2,p=2", "ln=10,r=32,p=16", "ln=15,r=8,p=16"}) {
    EXPECT_TRUE(parse_scrypt_hash(with_params(params))) << params;
  }
  auto h = hash_password("long enough", ScryptParams{21, 8, 1});
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, Errc::InvalidArgument);
}

TEST(AuthPassword, NewPasswordRules) {
  EXPECT_TRUE(check_new_password("12345678"));
  EXPECT_TRUE(check_new_password(std::string(1024, 'x')));
  EXPECT_TRUE(check_new_password("pässwörd"));  // 8 characters, 10 bytes
  auto short_one = check_new_password("1234567");
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, Errc::InvalidArgument);
  EXPECT_EQ(short_one.error().message, "password too short (7 characters vs at least 8): choose a longer one");
  EXPECT_FALSE(check_new_password("päss"));  // 4 characters in 6 bytes
  auto long_one = check_new_password(std::string(1025, 'x'));
  ASSERT_FALSE(long_one);
  EXPECT_NE(long_one.error().message.find("1025 characters vs at most 1024"), std::string::npos);
  auto tab = check_new_password("tab\there please");
  ASSERT_FALSE(tab);
  EXPECT_NE(tab.error().message.find("control character (0x09) at byte 3"), std::string::npos) << tab.error().message;
  EXPECT_FALSE(check_new_password("newline at the end\n"));
  EXPECT_FALSE(check_new_password(std::string("nul\0inside it", 13)));
  EXPECT_FALSE(check_new_password("delete\x7f char"));
}

TEST(AuthPassword, UserNameRules) {
  for (const char* ok : {"admin", "a", "lab.admin_2-b", "01234567890123456789012345678901"}) {
    EXPECT_TRUE(check_user_name(ok)) << ok;
  }
  const std::pair<std::string, std::string> refused[] = {
      {"", "user name is empty"},
      {"012345678901234567890123456789012", "too long (33 bytes vs at most 32)"},
      {"Admin", "'A' at position 1 is not allowed"},
      {"ad min", "byte 0x20 at position 3"},
      {"root\n", "byte 0x0a at position 5"},
      {"été", "byte 0xc3 at position 1"},
  };
  for (const auto& [name, why] : refused) {
    auto st = check_user_name(name);
    ASSERT_FALSE(st) << name;
    EXPECT_NE(st.error().message.find(why), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find("1 to 32 characters of a-z, 0-9, '.', '_' and '-'"), std::string::npos);
  }
}

}  // namespace
}  // namespace cucm::auth
