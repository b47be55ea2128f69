// Admin users and API tokens against a real migrated SQLite database in a temp folder.
#include <gtest/gtest.h>

#include "auth/account_store.hpp"
#include "core/encoding.hpp"
#include "tests/db/db_fixture.hpp"

namespace cucm::auth {
namespace {

constexpr ScryptParams kFast{10, 8, 1};

class AccountStoreTest : public db::test::DbTest {
 protected:
  AccountStore store() { return AccountStore(db()); }
  // The users' names, sorted.
  static std::vector<std::string> names(const AccountStore& st) {
    std::vector<std::string> out;
    auto all = st.accounts();
    EXPECT_TRUE(all) << all.error().message;
    if (all) {
      for (const auto& a : *all) out.push_back(a.name);
    }
    return out;
  }
  std::string column(const std::string& sql) {
    auto s = db().prepare(sql);
    EXPECT_TRUE(s) << s.error().message;
    if (!s) return {};
    auto row = s->step();
    EXPECT_TRUE(row && *row) << sql;
    return row && *row ? s->display(0) : std::string{};
  }
};

TEST_F(AccountStoreTest, SetPasswordCreatesThenChangesTheUser) {
  auto st = store();
  EXPECT_FALSE(*st.any_password());
  EXPECT_TRUE(names(st).empty());
  ASSERT_TRUE(st.set_password("admin", "first password", kFast));
  EXPECT_TRUE(*st.any_password());
  EXPECT_TRUE(*st.check_password("admin", "first password"));
  EXPECT_FALSE(*st.check_password("admin", "second password"));
  std::string first_hash = column("SELECT password_hash FROM admin_user WHERE name = 'admin'");
  EXPECT_EQ(first_hash.rfind("$scrypt$ln=10,r=8,p=1$", 0), 0u);
  EXPECT_EQ(first_hash.find("first password"), std::string::npos);

  ASSERT_TRUE(st.set_password("admin", "second password", kFast));
  EXPECT_FALSE(*st.check_password("admin", "first password"));
  EXPECT_TRUE(*st.check_password("admin", "second password"));
  ASSERT_TRUE(st.set_password("lab.ops", "another one", kFast));
  EXPECT_EQ(names(st), (std::vector<std::string>{"admin", "lab.ops"}));
  EXPECT_EQ(column("SELECT count(*) FROM admin_user"), "2");
}

// Roles: a new user is an admin unless told; a password change keeps the role unless one is
// given; an unknown name has none; the column takes only the two roles.
TEST_F(AccountStoreTest, ARoleIsSetWithThePasswordAndKeptOtherwise) {
  auto st = store();
  ASSERT_TRUE(st.set_password("admin", "first password", kFast));
  ASSERT_TRUE(st.set_password("student1", "a student pw", kFast, Role::Viewer));
  EXPECT_EQ(**st.role_of("admin"), Role::Admin);
  EXPECT_EQ(**st.role_of("student1"), Role::Viewer);
  EXPECT_FALSE(*st.role_of("nobody"));
  ASSERT_TRUE(st.set_password("student1", "another student pw", kFast));
  EXPECT_EQ(**st.role_of("student1"), Role::Viewer);
  ASSERT_TRUE(st.set_password("student1", "another student pw", kFast, Role::Admin));
  EXPECT_EQ(**st.role_of("student1"), Role::Admin);
  auto all = st.accounts();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].name, "student1");
  EXPECT_EQ((*all)[1].role, Role::Admin);
  EXPECT_FALSE(db().exec("UPDATE admin_user SET role = 'root' WHERE name = 'admin'"));
  EXPECT_EQ(**st.role_of("admin"), Role::Admin);
  auto bad = parse_role("root");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "unknown role 'root': admin (reads and writes) or viewer (reads only)");
  EXPECT_EQ(*parse_role("viewer"), Role::Viewer);
  EXPECT_EQ(role_name(Role::Viewer), "viewer");
}

// set_role changes the role alone; the last admin keeps its role, and its row, while other users
// remain (they could write nothing from the site); the last user of all may go.
TEST_F(AccountStoreTest, ARoleChangesAloneAndTheLastAdminStaysWhileOthersRemain) {
  auto st = store();
  ASSERT_TRUE(st.set_password("admin", "first password", kFast));
  ASSERT_TRUE(st.set_password("student1", "a student pw", kFast, Role::Viewer));
  auto hash = [&](const std::string& user) {
    return column("SELECT password_hash FROM admin_user WHERE name = '" + user + "'");
  };
  const std::string before = hash("student1");
  ASSERT_TRUE(st.set_role("student1", Role::Admin));
  EXPECT_EQ(**st.role_of("student1"), Role::Admin);
  EXPECT_EQ(hash("student1"), before);
  EXPECT_TRUE(*st.check_password("student1", "a student pw"));
  ASSERT_TRUE(st.set_role("student1", Role::Viewer));
  auto unknown = st.set_role("nobody", Role::Viewer);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::NotFound);

  const std::string no_admin = "admin is the last admin: with none the site could change nothing; make another one "
                               "first (cucm-emu admin role NAME admin, or admin passwd --user NAME for a new user)";
  auto demote = st.set_role("admin", Role::Viewer);
  ASSERT_FALSE(demote);
  EXPECT_EQ(demote.error().message, no_admin);
  auto by_passwd = st.set_password("admin", "second password", kFast, Role::Viewer);
  ASSERT_FALSE(by_passwd);
  EXPECT_EQ(by_passwd.error().message, no_admin);
  EXPECT_TRUE(*st.check_password("admin", "first password"));  // nothing changed, the password neither
  auto removed = st.remove_user("admin");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().message, "admin is the last admin and 1 other user(s) would be left with no admin: make "
                                     "another one first (cucm-emu admin role NAME admin)");
  EXPECT_EQ(**st.role_of("admin"), Role::Admin);

  // With a second admin the first may go; the viewer too. The last user of all is not made a
  // viewer, but may go.
  ASSERT_TRUE(st.set_role("student1", Role::Admin));
  ASSERT_TRUE(st.set_role("admin", Role::Viewer));
  ASSERT_TRUE(st.remove_user("admin"));
  auto alone = st.set_role("student1", Role::Viewer);
  ASSERT_FALSE(alone);
  EXPECT_EQ(alone.error().message.rfind("student1 is the last admin: with none", 0), 0u) << alone.error().message;
  ASSERT_TRUE(st.remove_user("student1"));
  EXPECT_FALSE(*st.any_password());
}

TEST_F(AccountStoreTest, BadNamesAndPasswordsChangeNothing) {
  auto st = store();
  auto bad_user = st.set_password("Admin", "long enough", kFast);
  ASSERT_FALSE(bad_user);
  EXPECT_EQ(bad_user.error().code, Errc::InvalidArgument);
  auto short_pw = st.set_password("admin", "short", kFast);
  ASSERT_FALSE(short_pw);
  EXPECT_NE(short_pw.error().message.find("at least 8"), std::string::npos);
  EXPECT_FALSE(st.set_password("admin", "long enough", ScryptParams{9, 8, 1}));
  EXPECT_FALSE(*st.any_password());
}

TEST_F(AccountStoreTest, UnknownUserIsFalseAndAMalformedRowNeverMatches) {
  auto st = store();
  EXPECT_FALSE(*st.check_password("nobody", "whatever it is"));  // no user at all: the default cost
  ASSERT_TRUE(st.set_password("admin", "the password", kFast));
  EXPECT_FALSE(*st.check_password("nobody", "the password"));
  EXPECT_FALSE(*st.check_password("", "the password"));
  ASSERT_TRUE(db().exec("UPDATE admin_user SET password_hash = '$scrypt$ln=30,r=8,p=1$AAAA$BBBB'"));
  EXPECT_FALSE(*st.check_password("admin", "the password"));
  ASSERT_TRUE(db().exec("UPDATE admin_user SET password_hash = 'the password'"));
  EXPECT_FALSE(*st.check_password("admin", "the password"));
}

TEST_F(AccountStoreTest, TokensAreShownOnceAndStoredAsTheirSha256) {
  auto st = store();
  ASSERT_TRUE(st.set_password("admin", "the password", kFast));
  auto token = st.create_token("admin", "ci");
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_EQ(token->size(), 48u);
  EXPECT_EQ(token->rfind("cucm_", 0), 0u);
  EXPECT_EQ(token->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 5),
            std::string::npos);
  auto sha = column("SELECT sha256 FROM admin_token");
  EXPECT_EQ(sha, to_hex(*from_hex(sha)));
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_EQ(column("SELECT count(*) FROM admin_token WHERE sha256 LIKE '%" + token->substr(5, 10) + "%'"), "0");

  auto user = st.user_of_token(*token);
  ASSERT_TRUE(user);
  EXPECT_EQ(*user, std::optional<std::string>("admin"));
  auto other = st.create_token("admin", "");
  ASSERT_TRUE(other);
  EXPECT_NE(*other, *token);

  auto list = st.tokens();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].user, "admin");
  EXPECT_EQ((*list)[0].name, "ci");
  EXPECT_EQ((*list)[0].created.size(), 19u);
  EXPECT_EQ((*list)[0].last_used.size(), 19u);  // used above
  EXPECT_EQ((*list)[1].last_used, "");          // never used
  EXPECT_LT((*list)[0].id, (*list)[1].id);
}

TEST_F(AccountStoreTest, AnythingButALiveTokenHasNoUser) {
  auto st = store();
  ASSERT_TRUE(st.set_password("admin", "the password", kFast));
  auto token = st.create_token("admin", "ci");
  ASSERT_TRUE(token);
  std::string changed = *token;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  for (const std::string& t : {std::string(), std::string("cucm_"), changed, token->substr(0, 47), *token + "A",
                               "Bearer " + *token, "xxxx_" + token->substr(5), token->substr(0, 47) + "="}) {
    auto user = st.user_of_token(t);
    ASSERT_TRUE(user) << user.error().message;
    EXPECT_FALSE(*user) << t;
  }
  auto id = (*st.tokens())[0].id;
  ASSERT_TRUE(st.revoke_token(id));
  EXPECT_FALSE(*st.user_of_token(*token));
  auto again = st.revoke_token(id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::NotFound);
  EXPECT_NE(again.error().message.find("admin token list"), std::string::npos);
}

TEST_F(AccountStoreTest, LastUsedIsWrittenAtMostOnceAMinute) {
  auto st = store();
  ASSERT_TRUE(st.set_password("admin", "the password", kFast));
  auto token = st.create_token("admin", "ci");
  ASSERT_TRUE(token);
  ASSERT_TRUE(db().exec("UPDATE admin_token SET last_used = '2000-01-01 00:00:00'"));
  ASSERT_TRUE(st.user_of_token(*token));
  std::string now = column("SELECT last_used FROM admin_token");
  EXPECT_NE(now, "2000-01-01 00:00:00");
  EXPECT_EQ(column("SELECT last_used >= datetime('now', '-5 seconds')  FROM admin_token"), "1");
  // Used 30 s ago: not written again.
  ASSERT_TRUE(db().exec("UPDATE admin_token SET last_used = datetime('now', '-30 seconds')"));
  std::string recent = column("SELECT last_used FROM admin_token");
  ASSERT_TRUE(st.user_of_token(*token));
  EXPECT_EQ(column("SELECT last_used FROM admin_token"), recent);
  // 61 s ago: written.
  ASSERT_TRUE(db().exec("UPDATE admin_token SET last_used = datetime('now', '-61 seconds')"));
  ASSERT_TRUE(st.user_of_token(*token));
  EXPECT_EQ(column("SELECT last_used >= datetime('now', '-5 seconds')  FROM admin_token"), "1");
}

TEST_F(AccountStoreTest, TokensNeedAKnownUserAndAPlainName) {
  auto st = store();
  auto none = st.create_token("admin", "ci");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::NotFound);
  EXPECT_NE(none.error().message.find("admin user admin not found"), std::string::npos) << none.error().message;
  ASSERT_TRUE(st.set_password("admin", "the password", kFast));
  EXPECT_FALSE(st.create_token("admin", "line\nbreak"));
  EXPECT_FALSE(st.create_token("admin", std::string(65, 'n')));
  EXPECT_TRUE(st.tokens()->empty());
}

TEST_F(AccountStoreTest, RemovingAUserRemovesItsTokens) {
  auto st = store();
  ASSERT_TRUE(st.set_password("admin", "the password", kFast));
  ASSERT_TRUE(st.set_password("ops", "the password", kFast));
  auto admin_token = st.create_token("admin", "a");
  auto ops_token = st.create_token("ops", "o");
  ASSERT_TRUE(admin_token && ops_token);
  ASSERT_TRUE(st.remove_user("admin"));
  EXPECT_EQ(names(st), std::vector<std::string>{"ops"});
  EXPECT_FALSE(*st.user_of_token(*admin_token));
  EXPECT_EQ(**st.user_of_token(*ops_token), "ops");
  EXPECT_EQ(st.tokens()->size(), 1u);
  auto gone = st.remove_user("admin");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::NotFound);
}

}  // namespace
}  // namespace cucm::auth
