#include "lib/base/process.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "lib/base/strings.h"

namespace k1s {
namespace {
std::vector<char*> ToArgv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}
}  // namespace

Status ExecReplace(const std::vector<std::string>& argv) {
  if (argv.empty()) return Fail(ErrorCode::kBadRequest, "empty command");
  auto cargv = ToArgv(argv);
  ::execvp(cargv[0], cargv.data());
  return Fail(ErrorCode::kNotFound, "cannot run " + argv[0] + ": " + std::strerror(errno));
}

Result<pid_t> Spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return Fail(ErrorCode::kBadRequest, "empty command");
  auto cargv = ToArgv(argv);
  pid_t pid = ::fork();
  if (pid < 0) return Fail(ErrorCode::kInternal, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  return pid;
}

Result<int> WaitExit(pid_t pid) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, 0);
    if (r == pid) break;
    if (r < 0 && errno == EINTR) continue;
    return Fail(ErrorCode::kInternal, std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  for (const auto& dir : Split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

std::string SelfExePath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace k1s
