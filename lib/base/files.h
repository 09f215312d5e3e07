// Small file helpers over POSIX calls, returning Result instead of throwing. Stateless, any thread.
#pragma once

#include <string>

#include "lib/base/result.h"

namespace k1s {

Result<std::string> ReadFile(const std::string& path);
// Writes to path.tmp, fsyncs, renames over path and fsyncs the directory: readers never see half a file.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0600);
// mkdir -p with the given mode for directories it creates.
Status MakeDirs(const std::string& path, int mode = 0700);
bool PathExists(const std::string& path);
// The directory part of a path ("a/b/c" -> "a/b", "c" -> ".").
std::string DirName(const std::string& path);
// fsync a directory so a rename or create inside it is durable.
Status SyncDir(const std::string& dir);
// A new empty directory under $TMPDIR (or /tmp) named prefix.XXXXXX.
Result<std::string> MakeTempDir(const std::string& prefix);
// rm -rf; missing paths are fine.
Status RemoveAll(const std::string& path);
// The user's home directory ($HOME, else the passwd entry).
std::string HomeDir();

}  // namespace k1s
