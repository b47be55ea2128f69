// serve as a systemd service sees it: READY=1 once every port is bound, RELOADING=1 and READY=1
// around a SIGHUP, STOPPING=1 on SIGTERM, on a notify socket of the test's own (systemd's protocol:
// one datagram per message to $NOTIFY_SOCKET). And what a reload changes: the log level, the
// static files, a broken file refused; a keep-alive connection opened before it still served.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <regex>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/child_process.hpp"
#include "tests/cli/cli_support.hpp"

namespace cucm {
namespace {

using namespace std::chrono_literals;

// The datagram socket systemd would listen on.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // A longer path would be cut short, and serve would write to another one.
    if (path.string().size() >= sizeof addr.sun_path) {
      ADD_FAILURE() << "notify socket path too long for a Unix socket: " << path;
      return;
    }
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::unlink(path.c_str());
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    if (bound_) ::unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  // The next message, or "" when none came within `within`.
  std::string next(std::chrono::milliseconds within) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) <= 0) return "";
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }

 private:
  fs::path path_;
  int fd_ = -1;
  bool bound_ = false;
};

// One HTTP/1.1 connection kept open across requests.
class KeepAlive {
 public:
  explicit KeepAlive(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~KeepAlive() { ::close(fd_); }
  bool connected() const { return connected_; }
  // The whole response to GET `name` (headers and a body of Content-Length), "" on a failure.
  std::string get(const std::string& name) {
    std::string req = "GET /" + name + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return "";
    std::string in;
    std::smatch m;
    static const std::regex kLength("Content-Length: *([0-9]+)", std::regex::icase);
    while (true) {
      auto end = in.find("\r\n\r\n");
      if (end != std::string::npos && std::regex_search(in, m, kLength) &&
          in.size() >= end + 4 + std::stoul(m[1].str())) {
        return in;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0) return "";
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      in.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ServeService : public Cli {
 protected:
  void write_config(const std::string& extra) {
    std::string ini = "tftp-address = 127.0.0.1\ntftp-port = 0\nhttp-address = 127.0.0.1\nhttp-port = 0\n"
                      "https-address = 127.0.0.1\nhttps-port = 0\ncapf-address = 127.0.0.1\ncapf-port = 0\n"
                      "tvs-address = 127.0.0.1\ntvs-port = 0\nsip-address = 127.0.0.1\nsip-tls-port = 0\nsip-port = 0\n"
                      "admin-port = 0\n"
                      "static-dir = " + path("static") + "\n" + extra;
    write("serve.ini", as_bytes(ini));
  }
  // Where "systemd" listens: in the program's own temporary folder (test_main.cpp) rather than in
  // the test's folder, whose name holds the test's and could take the path past a Unix socket's
  // 107 bytes.
  static fs::path notify_path() { return fs::temp_directory_path() / "notify.sock"; }
  // serve with NOTIFY_SOCKET set, as systemd starts it; nullptr on a failure to start.
  std::unique_ptr<ChildProcess> start_serve() {
    std::string why;
    auto child = ChildProcess::start({"env", "NOTIFY_SOCKET=" + notify_path().string(), CUCM_EMU, "--data-dir",
                                      path("data"), "serve", "--config", path("serve.ini"), "--exit-after", "120"},
                                     why);
    EXPECT_TRUE(child) << why;
    return child;
  }
  static std::uint16_t http_port(const std::string& output) {
    std::smatch m;
    static const std::regex kHttp("http: listening on 127\\.0\\.0\\.1:([0-9]+)/tcp");
    return std::regex_search(output, m, kHttp) ? static_cast<std::uint16_t>(std::stoi(m[1].str())) : 0;
  }
};

TEST_F(ServeService, TellsTheServiceManagerWhenReadyReloadingAndStopping) {
  fs::create_directories(dir_ / "static");
  write_config("");
  NotifySocket notify(notify_path());
  ASSERT_TRUE(notify.bound());
  auto serve = start_serve();
  ASSERT_TRUE(serve);
  std::string ready = notify.next(60s);
  EXPECT_NE(ready.find("READY=1"), std::string::npos) << ready;
  EXPECT_NE(ready.find("STATUS=serving"), std::string::npos) << ready;
  // READY comes after every port is bound: the ports are in its output already.
  ASSERT_TRUE(serve->wait_for("serving", 5s)) << serve->output();
  EXPECT_NE(http_port(serve->output()), 0) << serve->output();

  // A change serve applies (the log level) and one that waits for a restart (a port).
  write_config("log-level = debug\ncapf-tls-min = 1.0\n");
  ASSERT_EQ(::kill(serve->pid(), SIGHUP), 0);
  std::string reloading = notify.next(30s);
  EXPECT_NE(reloading.find("RELOADING=1"), std::string::npos) << reloading;
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  std::string again = notify.next(30s);
  EXPECT_NE(again.find("READY=1"), std::string::npos) << again;
  EXPECT_NE(again.find("1 change(s) wait for a restart"), std::string::npos) << again;
  EXPECT_TRUE(serve->wait_for("applied only by a restart: --capf-tls-min", 5s)) << serve->output();

  // A file that no longer parses: refused, the running settings stay, serve goes on.
  write_config("no-such-option = 1\n");
  ASSERT_EQ(::kill(serve->pid(), SIGHUP), 0);
  EXPECT_NE(notify.next(30s).find("RELOADING=1"), std::string::npos);
  std::string refused = notify.next(30s);
  EXPECT_NE(refused.find("READY=1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("the last reload was refused"), std::string::npos) << refused;
  EXPECT_TRUE(serve->wait_for("reload refused", 5s)) << serve->output();

  ASSERT_EQ(::kill(serve->pid(), SIGTERM), 0);
  std::string stopping = notify.next(30s);
  EXPECT_NE(stopping.find("STOPPING=1"), std::string::npos) << stopping;
}

TEST_F(ServeService, AReloadServesAReplacedStaticFileAtOnceAndKeepsOpenConnections) {
  fs::create_directories(dir_ / "static");
  write("static/load.bin", as_bytes(std::string("first load")));
  write_config("");
  NotifySocket notify(notify_path());
  ASSERT_TRUE(notify.bound());
  auto serve = start_serve();
  ASSERT_TRUE(serve);
  ASSERT_NE(notify.next(60s).find("READY=1"), std::string::npos);
  ASSERT_TRUE(serve->wait_for("serving", 5s)) << serve->output();
  std::uint16_t port = http_port(serve->output());
  ASSERT_NE(port, 0) << serve->output();

  KeepAlive conn(port);
  ASSERT_TRUE(conn.connected());
  EXPECT_NE(conn.get("load.bin").find("first load"), std::string::npos);
  // Replaced under the same name (a new file renamed over it): without the reload, serve would
  // keep sending the open file for up to a second.
  write("static/load.bin", as_bytes(std::string("second load, longer")));
  ASSERT_EQ(::kill(serve->pid(), SIGHUP), 0);
  EXPECT_NE(notify.next(30s).find("RELOADING=1"), std::string::npos);
  EXPECT_NE(notify.next(30s).find("READY=1"), std::string::npos);
  EXPECT_NE(conn.get("load.bin").find("second load, longer"), std::string::npos)
      << "the connection opened before the reload must still be served, with the new file";
}

// Under systemd ($JOURNAL_STREAM names stderr) a line starts with its syslog priority and has no
// time of its own; with stderr elsewhere the variable, inherited, changes nothing.
TEST_F(ServeService, LogLinesTakeTheJournalsFormWhenStderrIsTheJournal) {
  fs::create_directories(dir_ / "static");
  write_config("no-https = true\nno-tvs = true\nno-tftp = true\nno-http = true\n");
  std::string serve = emu("serve --config " + path("serve.ini") + " --exit-after 1");
  auto journal = run("bash -c 'exec 2>" + path("stderr.txt") + "; export JOURNAL_STREAM=$(stat -c %d:%i " +
                     path("stderr.txt") + "); exec " + serve + "'");
  ASSERT_EQ(journal.rc, 0) << journal.out;
  Bytes err = read("stderr.txt");
  std::string lines(err.begin(), err.end());
  EXPECT_NE(lines.find("<6>capf: CAPF-trust: trusting the lab manufacturing CA"), std::string::npos) << lines;
  // A second data folder, whose lab CA is new to its CAPF-trust: the same line is logged again.
  auto elsewhere = run("JOURNAL_STREAM=1:2 " + std::string(CUCM_EMU) + " --data-dir " + path("data2") +
                       " serve --config " + path("serve.ini") + " --exit-after 1");
  EXPECT_NE(elsewhere.out.find(" info  capf: CAPF-trust: trusting the lab manufacturing CA"), std::string::npos)
      << elsewhere.out;
}

// The file's values apply where the command line gave none; a name serve lacks is refused.
TEST_F(ServeService, TheConfigFileAppliesWhereTheCommandLineIsSilent) {
  write_config("no-https = true\nno-tvs = true\ncapf_port = 0\n");  // an underscore is read as a dash
  std::string why;
  auto serve = ChildProcess::start({CUCM_EMU, "--data-dir", path("data"), "serve", "--config", path("serve.ini"),
                                    "--http-address", "127.0.0.2", "--exit-after", "60"},
                                   why);
  ASSERT_TRUE(serve) << why;
  ASSERT_TRUE(serve->wait_for("serving", 60s)) << serve->output();
  EXPECT_NE(serve->output().find("http: listening on 127.0.0.2:"), std::string::npos) << serve->output();
  EXPECT_NE(serve->output().find("tftp: listening on 127.0.0.1:"), std::string::npos) << serve->output();
  EXPECT_EQ(serve->output().find("https: listening"), std::string::npos) << serve->output();
  EXPECT_EQ(serve->output().find("tvs:"), std::string::npos) << serve->output();
  serve->stop();

  write_config("tftp-prot = 6969\n");
  auto r = run(emu("serve --config " + path("serve.ini")));
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("'tftp-prot' is not an option of serve"), std::string::npos) << r.out;
}

// --ports-file: where each service listens, for a script that gave port 0; the same ports the
// log lines say, reachable (curl to the admin site and HTTP), and the file gone when serve stops.
TEST_F(ServeService, ThePortsFileSaysWhereEachServiceListensUntilServeStops) {
  write_config("metrics-port = 0\n");
  fs::create_directories(dir_ / "static");
  std::string why;
  auto serve = ChildProcess::start({CUCM_EMU, "--data-dir", path("data"), "serve", "--config", path("serve.ini"),
                                    "--ports-file", path("ports.json"), "--exit-after", "120"},
                                   why);
  ASSERT_TRUE(serve) << why;
  ASSERT_TRUE(serve->wait_for("serving ", 60s)) << serve->output();
  auto text = read_file(dir_ / "ports.json");
  ASSERT_TRUE(text) << serve->output();
  auto ports = nlohmann::json::parse(std::string(text->begin(), text->end()));
  const std::string& out = serve->output();
  for (const auto& [name, transport] : std::vector<std::pair<std::string, std::string>>{
           {"tftp", "udp"}, {"http", "tcp"}, {"https", "tls"}, {"capf", "tls"}, {"tvs", "tls"},
           {"sip_tls", "tls"}, {"sip", "udp+tcp"}, {"metrics", "tcp"}, {"admin", "tls"}}) {
    ASSERT_TRUE(ports.contains(name)) << name << ports.dump();
    EXPECT_EQ(ports[name]["address"], "127.0.0.1") << name;
    EXPECT_EQ(ports[name]["transport"], transport) << name;
    int port = ports[name]["port"];
    EXPECT_GT(port, 0) << name;
    EXPECT_NE(out.find("127.0.0.1:" + std::to_string(port) + "/"), std::string::npos) << name << " " << port << out;
  }
  EXPECT_EQ(ports["http"]["port"], http_port(out));
  auto setup = run_raw("curl -sS -k " + ports["admin"]["url"].get<std::string>() + "api/v1/setup");
  EXPECT_NE(setup.out.find("password_set"), std::string::npos) << setup.out;
  auto scrape = run_raw("curl -sS -f -o /dev/null -w '%{http_code}' " + ports["metrics"]["url"].get<std::string>());
  EXPECT_EQ(scrape.out, "200");
  serve->stop();
  EXPECT_FALSE(fs::exists(dir_ / "ports.json"));
}

TEST_F(ServeService, APortsFileThatCannotBeWrittenStopsServeAndSaysWhy) {
  write_config("");
  fs::create_directories(dir_ / "static");
  auto r = run(emu("serve --config " + path("serve.ini") + " --ports-file " + path("no-such-dir/ports.json")));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("--ports-file: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no-such-dir"), std::string::npos) << r.out;
}

// Every option the example configuration names (packaging/cucm-emu.ini, each line a commented
// default) is one serve has: uncommented, the file parses. The command line moves the ports.
TEST_F(ServeService, TheExampleConfigurationNamesOnlyRealOptions) {
  auto example = read_file(fs::path(CUCM_SOURCE_DIR) / "packaging" / "cucm-emu.ini");
  ASSERT_TRUE(example);
  std::string text(example->begin(), example->end());
  std::string uncommented = std::regex_replace(text, std::regex("^# ([a-z-]+ = )", std::regex::multiline), "$1");
  ASSERT_NE(uncommented.find("\ntftp-port = 69\n"), std::string::npos) << uncommented;
  write("example.ini", as_bytes(uncommented));
  fs::create_directories(dir_ / "data" / "static");
  std::string why;
  std::vector<std::string> argv = {CUCM_EMU, "--data-dir", path("data"), "serve", "--config", path("example.ini"),
                                   "--static-dir", path("data/static"), "--metrics-port", "0", "--exit-after", "60"};
  for (const char* svc : {"tftp", "http", "https", "capf", "tvs", "admin"}) {
    for (const std::string& a : {std::string("--") + svc + "-address", std::string("127.0.0.1"),
                                 std::string("--") + svc + "-port", std::string("0")}) {
      argv.push_back(a);
    }
  }
  for (const char* a : {"--sip-address", "127.0.0.1", "--sip-tls-port", "0", "--sip-port", "0"}) argv.push_back(a);
  auto serve = ChildProcess::start(argv, why);
  ASSERT_TRUE(serve) << why;
  EXPECT_TRUE(serve->wait_for("serving", 60s)) << serve->output();
}

}  // namespace
}  // namespace cucm
