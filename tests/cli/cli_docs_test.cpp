// The manual page and the bash completion, written by the binary from its command tree: the page
// renders without a warning and covers every command; the completion offers what can come next.
#include "tests/cli/cli_support.hpp"

namespace cucm {
namespace {

class CliDocs : public Cli {
 protected:
  // What the completion function offers for the words typed so far (the last one being completed).
  std::string complete(const std::string& words) {
    write("complete.sh", as_bytes(std::string(
        "source <(\"$1\" completion bash)\n"
        "read -r -a COMP_WORDS <<<\"$2\"\n"
        "[[ $2 == *' ' ]] && COMP_WORDS+=('')\n"
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        "_cucm_emu\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n")));
    auto r = run("bash " + path("complete.sh") + " " + CUCM_EMU + " '" + words + "'");
    EXPECT_EQ(r.rc, 0) << r.out;
    return "\n" + r.out;
  }
};

TEST_F(CliDocs, TheManPageRendersWithoutWarningsAndCoversEveryCommand) {
  ASSERT_EQ(run(std::string(CUCM_EMU) + " manpage > " + path("cucm-emu.1")).rc, 0);
  // groff's own check (-ww: every warning), then man as a reader sees it.
  auto lint = run("groff -man -Tutf8 -ww -z " + path("cucm-emu.1"));
  EXPECT_EQ(lint.rc, 0);
  EXPECT_EQ(lint.out, "") << "groff warnings";
  auto page = run_raw("MANWIDTH=100 man -l " + path("cucm-emu.1") + " 2>/dev/null | col -b");
  ASSERT_EQ(page.rc, 0);
  for (const char* text : {"cucm-emu - emulator of the phone-security services", "serve [OPTIONS]", "--capf-tls-min",
                           "device add", "trust remove", "phone boot", "completion", "SIGHUP", "(default: 3804)"}) {
    EXPECT_NE(page.out.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(page.out.find("manpage"), std::string::npos) << "the hidden command is not documented";
}

TEST_F(CliDocs, BashCompletionOffersTheNextCommandOrOption) {
  auto top = complete("cucm-emu ");
  for (const char* w : {"\nserve\n", "\ndevice\n", "\nphone\n", "\ncompletion\n"}) EXPECT_NE(top.find(w), std::string::npos) << w;
  EXPECT_EQ(top.find("\nmanpage\n"), std::string::npos);
  auto device = complete("cucm-emu --data-dir /tmp/x device a");
  EXPECT_NE(device.find("\nadd\n"), std::string::npos) << device;
  auto serve = complete("cucm-emu serve --capf-t");
  EXPECT_NE(serve.find("\n--capf-tls-min\n"), std::string::npos) << serve;
  EXPECT_NE(serve.find("\n--capf-timeout-ms\n"), std::string::npos) << serve;
  // A global option's value is no command, even when it is a command's name.
  auto value = complete("cucm-emu --data-dir demo d");
  EXPECT_NE(value.find("\ndevice\n"), std::string::npos) << value;
}

}  // namespace
}  // namespace cucm
