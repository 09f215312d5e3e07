// Process helpers: spawn children, wait for them, replace the current process. Any thread, but
// Spawn/Exec use fork/exec and must not be called while another thread holds locks the child needs
// (the child only calls async-signal-safe functions before exec).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s {

// Replaces this process with argv[0] (searched in PATH). Returns only on failure.
Status ExecReplace(const std::vector<std::string>& argv);
// Starts argv in a child process with the same stdio; returns its pid.
Result<pid_t> Spawn(const std::vector<std::string>& argv);
// Waits for pid; returns its exit code, or 128+signal if killed by a signal.
Result<int> WaitExit(pid_t pid);
// Finds an executable in PATH; empty when there is none.
std::string FindInPath(const std::string& name);
// The absolute path of the running executable (/proc/self/exe).
std::string SelfExePath();

}  // namespace k1s
