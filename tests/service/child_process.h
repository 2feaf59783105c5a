// A child process running the `omni` binary, its stdout and stderr piped back: shared by the CLI
// tests of `omni serve` (serve_cli_test.cc, serve_journal_cli_test.cc).
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace omni::service::testing {

struct Child {
  pid_t pid = -1;
  int out = -1;  // stdout
  int err = -1;  // stderr
};

// The child runs without the demo's secret variables (so the demo generates them) unless `env`
// sets them.
inline Child spawn(std::vector<std::string> args, const std::vector<std::pair<std::string, std::string>>& env = {}) {
  int out[2], err[2];
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    for (const char* v : {"OMNI_WHATSAPP_APP_SECRET", "OMNI_INSTAGRAM_APP_SECRET", "OMNI_VERIFY_TOKEN",
                          "OMNI_AGENT_TOKEN_SECRET", "OMNI_SUPERVISOR_TOKEN", "OMNI_GRAPH_ACCESS_TOKEN",
                          "OMNI_WEBCHAT_SITE_KEY"}) {
      unsetenv(v);
    }
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  c.out = out[0];
  c.err = err[0];
  return c;
}

// Reads `fd` until `pattern` matches or the time-out; returns everything read.
inline std::string read_until(int fd, const std::regex& pattern, std::chrono::milliseconds timeout) {
  using namespace std::chrono_literals;
  std::string text;
  fcntl(fd, F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && !std::regex_search(text, pattern)) {
    char buffer[4096];
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else {
      std::this_thread::sleep_for(5ms);
    }
  }
  return text;
}

}  // namespace omni::service::testing
