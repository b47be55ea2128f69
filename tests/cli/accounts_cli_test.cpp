// cucm-emu admin passwd|token|users: the admin site's credentials set from the shell, the scrypt
// row they leave, the token printed alone and stored only as its SHA-256, and the audit events.
#include <regex>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace cucm {
namespace {

class AccountsCli : public Cli {
 protected:
  cucm::Run passwd(const std::string& password, const std::string& args = "--password-stdin") {
    return run("printf '%s\\n' '" + password + "' | " + emu("admin passwd " + args));
  }
  std::string sql(const std::string& query) { return run_stdout(emu("sql --json \"" + query + "\"")).out; }
};

TEST_F(AccountsCli, PasswdFromStdinStoresAnScryptHashAndAudits) {
  auto set = passwd("a good password");
  ASSERT_EQ(set.rc, 0) << set.out;
  EXPECT_NE(set.out.find("password set for admin (admin)\n"), std::string::npos) << set.out;
  EXPECT_EQ(run_stdout(emu("admin users")).out, "user  role\n===== =====\nadmin admin\n");

  auto rows = nlohmann::json::parse(sql("select name, password_hash from admin_user"));
  ASSERT_EQ(rows.size(), 1u);
  std::string hash = rows[0]["password_hash"];
  EXPECT_EQ(hash.rfind("$scrypt$ln=15,r=8,p=1$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("good"), std::string::npos);
  EXPECT_NE(run_stdout(emu("events")).out.find("admin password set for admin (admin)"), std::string::npos);

  // A pipe without the flag is read the same way; another user; a change keeps one row.
  auto ops = run("printf 'another password\\n' | " + emu("admin passwd --user lab.ops"));
  ASSERT_EQ(ops.rc, 0) << ops.out;
  EXPECT_NE(ops.out.find("password set for lab.ops"), std::string::npos);
  ASSERT_EQ(passwd("a changed password").rc, 0);
  EXPECT_EQ(run_stdout(emu("admin users")).out, "user    role\n======= =====\nadmin   admin\nlab.ops admin\n");
  auto changed = nlohmann::json::parse(sql("select password_hash from admin_user where name = 'admin'"));
  EXPECT_NE(changed[0]["password_hash"], hash);
}

// --role: a viewer made, listed, kept through a password change, made an admin again; an
// unknown role is refused before the password is read.
TEST_F(AccountsCli, PasswdRoleMakesAViewerAndUsersListsIt) {
  ASSERT_EQ(passwd("a good password").rc, 0);
  auto viewer = passwd("a student password", "--password-stdin --user student1 --role viewer");
  ASSERT_EQ(viewer.rc, 0) << viewer.out;
  EXPECT_NE(viewer.out.find("password set for student1 (viewer)"), std::string::npos) << viewer.out;
  EXPECT_EQ(run_stdout(emu("admin users")).out, "user     role\n======== ======\nadmin    admin\nstudent1 viewer\n");
  auto kept = passwd("a newer student password", "--password-stdin --user student1");
  EXPECT_NE(kept.out.find("password set for student1 (viewer)"), std::string::npos) << kept.out;
  auto bad = passwd("a good password", "--password-stdin --user student1 --role root");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("cucm-emu: unknown role 'root': admin (reads and writes) or viewer (reads only)"), std::string::npos)
      << bad.out;
  EXPECT_EQ(nlohmann::json::parse(sql("select role from admin_user where name = 'student1'"))[0]["role"], "viewer");
  auto promoted = passwd("a newer student password", "--password-stdin --user student1 --role admin");
  EXPECT_NE(promoted.out.find("password set for student1 (admin)"), std::string::npos) << promoted.out;
}

// admin role: the role alone, the password kept; admin remove: the user and its tokens; the last
// admin is neither demoted nor removed while a viewer remains; each change is an event.
TEST_F(AccountsCli, RoleAndRemoveChangeOnlyWhatTheySayAndKeepAnAdmin) {
  ASSERT_EQ(passwd("a good password").rc, 0);
  ASSERT_EQ(passwd("a student password", "--password-stdin --user student1 --role viewer").rc, 0);
  const std::string hash = sql("select password_hash from admin_user where name = 'student1'");
  auto promoted = run(emu("admin role student1 admin"));
  ASSERT_EQ(promoted.rc, 0) << promoted.out;
  EXPECT_NE(promoted.out.find("student1 is now an admin"), std::string::npos) << promoted.out;
  EXPECT_EQ(sql("select password_hash from admin_user where name = 'student1'"), hash);
  auto demoted = run(emu("admin role student1 viewer"));
  EXPECT_NE(demoted.out.find("student1 is now a viewer"), std::string::npos) << demoted.out;
  EXPECT_EQ(run_stdout(emu("admin users")).out, "user     role\n======== ======\nadmin    admin\nstudent1 viewer\n");

  auto bad_role = run(emu("admin role student1 root"));
  EXPECT_EQ(bad_role.rc, 1);
  EXPECT_NE(bad_role.out.find("unknown role 'root'"), std::string::npos) << bad_role.out;
  auto nobody = run(emu("admin role nobody admin"));
  EXPECT_EQ(nobody.rc, 1);
  EXPECT_NE(nobody.out.find("admin user nobody not found"), std::string::npos) << nobody.out;
  auto last_demoted = run(emu("admin role admin viewer"));
  EXPECT_EQ(last_demoted.rc, 1);
  EXPECT_NE(last_demoted.out.find("cucm-emu: admin is the last admin: with none the site could change nothing; make "
                                  "another one first (cucm-emu admin role NAME admin, or admin passwd --user NAME for "
                                  "a new user)"),
            std::string::npos)
      << last_demoted.out;
  auto last_removed = run(emu("admin remove admin"));
  EXPECT_EQ(last_removed.rc, 1);
  EXPECT_NE(last_removed.out.find("cucm-emu: admin is the last admin and 1 other user(s) would be left with no admin: "
                                  "make another one first (cucm-emu admin role NAME admin)"),
            std::string::npos)
      << last_removed.out;

  ASSERT_EQ(run_stdout(emu("admin token create --user student1")).rc, 0);
  auto removed = run(emu("admin remove student1"));
  ASSERT_EQ(removed.rc, 0) << removed.out;
  EXPECT_NE(removed.out.find("admin user student1 removed, with its tokens"), std::string::npos) << removed.out;
  EXPECT_EQ(nlohmann::json::parse(sql("select count(*) as n from admin_token"))[0]["n"], "0");  // sql --json: text
  EXPECT_EQ(run_stdout(emu("admin users")).out, "user  role\n===== =====\nadmin admin\n");
  auto again = run(emu("admin remove student1"));
  EXPECT_EQ(again.rc, 1);
  EXPECT_NE(again.out.find("admin user student1 not found"), std::string::npos) << again.out;

  auto events = run_stdout(emu("events")).out;
  EXPECT_NE(events.find("admin role of student1 set to admin"), std::string::npos) << events;
  EXPECT_NE(events.find("admin role of student1 set to viewer"), std::string::npos) << events;
  EXPECT_NE(events.find("admin user student1 removed"), std::string::npos) << events;
}

TEST_F(AccountsCli, TooShortPasswordOrBadUserSaysWhyAndChangesNothing) {
  auto short_one = passwd("short");
  EXPECT_EQ(short_one.rc, 1);
  EXPECT_NE(short_one.out.find("cucm-emu: password too short (5 characters vs at least 8): choose a longer one"),
            std::string::npos)
      << short_one.out;
  auto bad_user = passwd("a good password", "--password-stdin --user Admin");
  EXPECT_EQ(bad_user.rc, 1);
  EXPECT_NE(bad_user.out.find("1 to 32 characters of a-z, 0-9"), std::string::npos) << bad_user.out;
  auto empty = run(emu("admin passwd --password-stdin") + " < /dev/null");
  EXPECT_EQ(empty.rc, 1);
  EXPECT_NE(empty.out.find("no password on standard input"), std::string::npos) << empty.out;
  auto none = run_raw(emu("admin users") + " 2>&1");
  EXPECT_EQ(none.rc, 0);
  EXPECT_NE(none.out.find("no admin user yet"), std::string::npos) << none.out;
}

TEST_F(AccountsCli, TokenCreateListRevoke) {
  auto early = run(emu("admin token create"));
  EXPECT_EQ(early.rc, 1);
  EXPECT_NE(early.out.find("admin user admin not found"), std::string::npos) << early.out;
  ASSERT_EQ(passwd("a good password").rc, 0);

  auto created = run_stdout(emu("admin token create --name ci"));
  ASSERT_EQ(created.rc, 0);
  ASSERT_TRUE(std::regex_match(created.out, std::regex("cucm_[A-Za-z0-9_-]{43}\n"))) << created.out;
  std::string token = created.out.substr(0, created.out.size() - 1);
  // Only the SHA-256 of the token is kept, as sha256sum computes it.
  auto sum = run("printf '%s' '" + token + "' | sha256sum");
  ASSERT_EQ(sum.rc, 0);
  auto stored = nlohmann::json::parse(sql("select sha256 from admin_token"));
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0]["sha256"], sum.out.substr(0, 64));
  EXPECT_EQ(sql("select * from admin_token").find(token.substr(5)), std::string::npos);

  ASSERT_EQ(run_stdout(emu("admin token create")).rc, 0);
  auto list = nlohmann::json::parse(run_stdout(emu("admin token list --json")).out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "ci");
  EXPECT_EQ(list[0]["user"], "admin");
  EXPECT_EQ(list[0]["last_used"], "");
  std::int64_t id = list[0]["id"];
  auto table = run_stdout(emu("admin token list"));
  EXPECT_NE(table.out.find("id user  name created"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find(token), std::string::npos);

  auto revoked = run(emu("admin token revoke " + std::to_string(id)));
  ASSERT_EQ(revoked.rc, 0) << revoked.out;
  EXPECT_NE(revoked.out.find("token " + std::to_string(id) + " revoked"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(run_stdout(emu("admin token list --json")).out).size(), 1u);
  auto again = run(emu("admin token revoke " + std::to_string(id)));
  EXPECT_EQ(again.rc, 1);
  EXPECT_NE(again.out.find("not found"), std::string::npos) << again.out;

  auto events = run_stdout(emu("events")).out;
  EXPECT_NE(events.find("admin token ci created for admin"), std::string::npos) << events;
  EXPECT_NE(events.find("admin token " + std::to_string(id) + " revoked"), std::string::npos) << events;
  EXPECT_EQ(events.find(token), std::string::npos);
}

}  // namespace
}  // namespace cucm
