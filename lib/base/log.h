// Logging for people: one line per event, "2026-11-25T10:00:00.123Z INFO  [component] message".
// Thread-safe: each line is formatted into a buffer and written with one write(2) under a mutex.
// The process-wide level and sink are set once at start-up by cmd/ (SetLogLevel, SetLogFile).
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace k1s {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn", "error".
Result<LogLevel> ParseLogLevel(std::string_view name);
// Sends log lines to a file (appending) instead of stderr. Empty path means stderr.
Status SetLogFile(const std::string& path);
// Writes one formatted line. Prefer the K1S_LOG macro.
void LogLine(LogLevel level, std::string_view component, std::string_view message);

namespace internal {
class LogMessage {
 public:
  LogMessage(LogLevel level, std::string_view component) : level_(level), component_(component) {}
  ~LogMessage() { LogLine(level_, component_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::string_view component_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace k1s

// K1S_LOG(kInfo, "datastore") << "opened " << path;
#define K1S_LOG(level, component)                                         \
  if (::k1s::LogLevel::level < ::k1s::GetLogLevel()) {                     \
  } else                                                                   \
    ::k1s::internal::LogMessage(::k1s::LogLevel::level, component).stream()
