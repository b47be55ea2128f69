// cucm-emu admin passwd|token|users|role|remove: the admin site's users and API tokens
// (docs/admin-api.md), set from the server's own shell, since the site has no default password.
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "auth/account_store.hpp"

namespace cucm::app {
namespace {

struct AccountArgs {
  std::string user = "admin";
  std::string name;
  std::int64_t id = 0;
  std::string role;  // passwd --role: empty keeps the role (a new user: admin)
  bool password_stdin = false;
  bool json = false;
};

// The terminal's settings while echo is off, put back by the guard or by the signal handler
// should Ctrl-C come in the middle of typing (else the shell would be left without echo).
struct termios g_saved_termios {};
volatile std::sig_atomic_t g_echo_off = 0;

void restore_and_exit(int sig) {
  if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
    struct termios quiet = g_saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;  // the Enter still moves to the next line
    std::signal(SIGINT, restore_and_exit);
    std::signal(SIGTERM, restore_and_exit);
    g_echo_off = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
    g_echo_off = 0;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};

// One line of standard input without its line ending; Unavailable at the end of input.
Result<std::string> read_line(std::string_view what) {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    return make_error(Errc::Unavailable, fmt::format("admin passwd: no {} on standard input", what));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Typed twice with echo off on a terminal; one line otherwise (--password-stdin, or a pipe).
Result<std::string> read_new_password(const std::string& user, bool from_stdin) {
  if (from_stdin || !::isatty(STDIN_FILENO)) return read_line("password");
  std::string first, second;
  {
    EchoOff quiet;
    std::cerr << fmt::format("New password for {}: ", user) << std::flush;
    CUCM_TRY(first, read_line("password"));
    CUCM_CHECK(auth::check_new_password(first));  // said now, not after typing it twice
    std::cerr << "Again: " << std::flush;
    CUCM_TRY(second, read_line("password"));
  }
  if (first != second) return make_error(Errc::InvalidArgument, "admin passwd: the two passwords differ; nothing changed");
  return first;
}

Status passwd(const GlobalOptions& g, const AccountArgs& a) {
  CUCM_CHECK(auth::check_user_name(a.user));
  std::optional<auth::Role> role;
  if (!a.role.empty()) {
    CUCM_TRY(auto r, auth::parse_role(a.role));
    role = r;
  }
  CUCM_TRY(std::string password, read_new_password(a.user, a.password_stdin));
  // Checked before the database is opened (set_password checks again): a refused password makes
  // no data folder.
  CUCM_CHECK(auth::check_new_password(password));
  CUCM_TRY(auto db, cluster_db(g));
  auth::AccountStore accounts(db);
  CUCM_CHECK(accounts.set_password(a.user, password, {}, role));
  CUCM_TRY(auto now, accounts.role_of(a.user));
  std::string_view as = auth::role_name(now.value_or(auth::Role::Admin));
  log_admin_event(db, "", fmt::format("admin password set for {} ({})", a.user, as));
  std::cout << fmt::format("password set for {} ({})\n", a.user, as);
  return Ok{};
}

Status token_create(const GlobalOptions& g, const AccountArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(std::string token, auth::AccountStore(db).create_token(a.user, a.name));
  log_admin_event(db, "", fmt::format("admin token {}created for {}", a.name.empty() ? "" : a.name + " ", a.user));
  std::cout << token << "\n";  // alone on stdout, for `TOKEN=$(cucm-emu admin token create)`
  return Ok{};
}

Status token_list(const GlobalOptions& g, bool json) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto tokens, auth::AccountStore(db).tokens());
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& t : tokens) {
      arr.push_back({{"id", t.id}, {"user", t.user}, {"name", t.name}, {"created", t.created}, {"last_used", t.last_used}});
    }
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : tokens) {
    rows.push_back({std::to_string(t.id), t.user, t.name.empty() ? "-" : t.name, t.created,
                    t.last_used.empty() ? "never" : t.last_used});
  }
  std::cout << format_table({"id", "user", "name", "created", "last_used"}, rows);
  return Ok{};
}

Status token_revoke(const GlobalOptions& g, std::int64_t id) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_CHECK(auth::AccountStore(db).revoke_token(id));
  log_admin_event(db, "", fmt::format("admin token {} revoked", id));
  std::cout << fmt::format("token {} revoked\n", id);
  return Ok{};
}

// A role changed alone, without the password; it applies to the user's open sessions at once.
Status change_role(const GlobalOptions& g, const AccountArgs& a) {
  CUCM_TRY(auto r, auth::parse_role(a.role));
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_CHECK(auth::AccountStore(db).set_role(a.user, r));
  log_admin_event(db, "", fmt::format("admin role of {} set to {}", a.user, auth::role_name(r)));
  std::cout << fmt::format("{} is now {} {}\n", a.user, r == auth::Role::Viewer ? "a" : "an", auth::role_name(r));
  return Ok{};
}

// The user, its tokens with it; its open sessions get 401 at their next request.
Status remove_account(const GlobalOptions& g, const AccountArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_CHECK(auth::AccountStore(db).remove_user(a.user));
  log_admin_event(db, "", fmt::format("admin user {} removed", a.user));
  std::cout << fmt::format("admin user {} removed, with its tokens\n", a.user);
  return Ok{};
}

Status users(const GlobalOptions& g) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto all, auth::AccountStore(db).accounts());
  if (all.empty()) {
    std::cerr << "no admin user yet: `cucm-emu admin passwd` makes one\n";
    return Ok{};
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : all) rows.push_back({u.name, std::string(auth::role_name(u.role))});
  std::cout << format_table({"user", "role"}, rows);
  return Ok{};
}

}  // namespace

void add_account_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<AccountArgs>();
  auto* admin = app.add_subcommand("admin", "The admin site's users and API tokens (docs/admin-api.md)");
  admin->require_subcommand(1);

  auto* pw = admin->add_subcommand("passwd", "Set or change a user's password (asked twice on a terminal)");
  pw->add_option("--user", a->user, "User name: 1 to 32 of a-z, 0-9, '.', '_', '-'")->capture_default_str();
  pw->add_flag("--password-stdin", a->password_stdin, "Read the password as one line from standard input");
  pw->add_option("--role", a->role,
                 "admin (reads and writes) or viewer (reads every page, changes only its own password); "
                 "a new user is an admin unless given, an existing one keeps its role")
      ->type_name("ROLE");
  pw->callback([&g, &rc, a] { rc = guarded([&] { return passwd(g, *a); }); });

  auto* token = admin->add_subcommand("token", "Bearer tokens for scripts calling the API");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Make a token and print it (alone, once: only its SHA-256 is kept)");
  create->add_option("--user", a->user, "Whose token")->capture_default_str();
  create->add_option("--name", a->name, "A label to tell tokens apart in the list");
  create->callback([&g, &rc, a] { rc = guarded([&] { return token_create(g, *a); }); });
  auto* ls = token->add_subcommand("list", "Tokens: id, user, label, created, last used");
  ls->add_flag("--json", a->json, "Machine-readable output");
  ls->callback([&g, &rc, a] { rc = guarded([&] { return token_list(g, a->json); }); });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token by its id (from the list)");
  revoke->add_option("id", a->id, "Token id")->required();
  revoke->callback([&g, &rc, a] { rc = guarded([&] { return token_revoke(g, a->id); }); });

  auto* us = admin->add_subcommand("users", "The users that have a password");
  us->callback([&g, &rc] { rc = guarded([&] { return users(g); }); });

  auto* rl = admin->add_subcommand("role", "Change a user's role alone (its open sessions follow at once)");
  rl->add_option("user", a->user, "User name")->required();
  rl->add_option("role", a->role, "admin or viewer")->required()->type_name("ROLE");
  rl->callback([&g, &rc, a] { rc = guarded([&] { return change_role(g, *a); }); });

  auto* rm = admin->add_subcommand("remove", "Remove a user and its tokens (its sessions end)");
  rm->add_option("user", a->user, "User name")->required();
  rm->callback([&g, &rc, a] { rc = guarded([&] { return remove_account(g, *a); }); });
}

}  // namespace cucm::app
