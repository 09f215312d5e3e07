// TempDir: a fresh directory for one test, removed when the test ends (unless K1S_KEEP_TEMP is set).
#pragma once

#include <cstdlib>
#include <string>

#include "lib/base/files.h"

namespace k1s::testutil {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "k1s-test") {
    auto dir = MakeTempDir(prefix);
    path_ = dir.ok() ? *dir : "/tmp/k1s-test-fallback";
  }
  ~TempDir() {
    if (!std::getenv("K1S_KEEP_TEMP")) (void)RemoveAll(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace k1s::testutil
