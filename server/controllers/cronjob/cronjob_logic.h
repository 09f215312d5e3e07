// CronJob logic: cron schedules (5 fields or @macros) evaluated in a TZ-database time zone read from
// /usr/share/zoneinfo (TZif), the Job a CronJob creates for a scheduled time, and the plan of one
// reconcile (create, replace, history cleanup, status, when to look again). Pure functions (TimeZone
// loading reads a file); any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "server/controllers/job/job_logic.h"

namespace k1s::controllers::cronjob {

inline constexpr const char* kScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

// A time zone as UTC offsets over time (from a TZif file). Immutable; copyable.
class TimeZone {
 public:
  static TimeZone Utc();
  // name like "Europe/Berlin"; "" or "UTC" gives Utc(). kNotFound / kInvalid when unusable.
  static Result<TimeZone> Load(std::string_view name, const std::string& dir = "/usr/share/zoneinfo");
  // Parses TZif bytes.
  static Result<TimeZone> FromTzif(std::string_view data);
  std::chrono::seconds OffsetAt(TimePoint utc) const;

 private:
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int32_t> offsets_;      // offset in force from transitions_[i]
  int32_t initial_offset_ = 0;
};

class Schedule {
 public:
  // "m h dom mon dow" (lists, ranges, steps, month/day names, '?') or @yearly/@annually/@monthly/
  // @weekly/@daily/@midnight/@hourly. kInvalid with a reason otherwise.
  static Result<Schedule> Parse(std::string_view text);
  // The first scheduled time strictly after `after`, in tz; nullopt if none within five years.
  std::optional<TimePoint> Next(TimePoint after, const TimeZone& tz) const;

 private:
  uint64_t minutes_ = 0, hours_ = 0, dom_ = 0, months_ = 0, dow_ = 0;
  bool dom_star_ = false, dow_star_ = false;
};

// "<cronjob>-<scheduled time in minutes since the epoch>".
std::string JobName(const json::object& cronjob, TimePoint scheduled);
json::object NewJob(const json::object& cronjob, TimePoint scheduled);

struct CronEvent {
  std::string type, reason, message;
};
struct CronPlan {
  std::optional<TimePoint> create_for;          // create the Job for this scheduled time
  std::vector<std::string> delete_active;       // Replace: running Jobs to delete first
  std::vector<std::string> delete_history;      // finished Jobs beyond the history limits
  json::object status;                          // to write (active refs of existing jobs)
  std::vector<CronEvent> events;
  std::optional<std::chrono::milliseconds> requeue_after;  // the next scheduled time
};
// jobs: the Jobs the CronJob controls.
CronPlan PlanCronJob(const json::object& cronjob, const PodList& jobs, const Schedule& schedule, const TimeZone& tz,
                     TimePoint now);

}  // namespace k1s::controllers::cronjob
