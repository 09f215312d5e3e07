// Job logic: the pure part of the Job controller (what pods a Job needs, its next status), plus the
// small JSON and pod helpers the four workload controllers (job, cronjob, daemonset, statefulset)
// share. Pure functions over Boost.JSON objects as the API serves them; any thread.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/json_util.h"
#include "lib/api/meta.h"

namespace k1s::controllers {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;
using PodList = std::vector<std::shared_ptr<const json::object>>;

// ---- JSON helpers shared by the workload controllers ----
// Member accessors (ObjAt, ArrAt, StrAt, IntAt, BoolAt): lib/api/json_util.h.
using api::ArrAt;
using api::BoolAt;
using api::IntAt;
using api::ObjAt;
using api::StrAt;
// metadata.<field> as a string; metadata.labels (lib/api/meta.h).
using api::Labels;
using api::MetaString;
// A metav1.LabelSelector (matchLabels + matchExpressions) against labels; an empty selector matches all.
bool SelectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels);
// An ownerReference naming owner as the controller.
json::object ControllerRef(const json::object& owner, std::string_view api_version, std::string_view kind);
// The controller ownerReference's name when its kind is `kind`, else "".
std::string ControllerNameOf(const json::object& obj, std::string_view kind);
std::optional<TimePoint> ParseTime(std::string_view text);
std::string TimeString(TimePoint t);

// ---- pod helpers ----
std::string PodPhase(const json::object& pod);
bool IsPodReady(const json::object& pod);
bool IsPodTerminating(const json::object& pod);  // deletionTimestamp set
// Pending or Running and not being deleted.
bool IsPodActive(const json::object& pod);
// Ready for at least min_ready_seconds at `now`.
bool IsPodAvailable(const json::object& pod, int64_t min_ready_seconds, TimePoint now);
// A condition of type in status.conditions, or nullptr.
const json::object* FindCondition(const json::object& obj, std::string_view type);
// Sets (or adds) a condition; lastTransitionTime moves only when status changes. True if anything changed.
bool SetCondition(json::object& status, std::string_view type, std::string_view cond_status,
                  std::string_view reason, std::string_view message, TimePoint now);
// A short, stable, DNS-safe hash of a JSON value (FNV-1a over its serialization): revision names.
std::string ShortHash(const json::value& v);

namespace job {

inline constexpr const char* kCompletionIndexAnnotation = "batch.kubernetes.io/job-completion-index";
inline constexpr const char* kCompletionIndexEnv = "JOB_COMPLETION_INDEX";

struct JobPlan {
  int create_count = 0;                  // NonIndexed pods to create
  std::vector<int> create_indexes;       // Indexed: one pod per index
  std::vector<std::string> delete_pods;  // names
  json::object status;                   // the status to write
  std::string finished;                  // "Complete" or "Failed" when this plan finishes the job
  std::string failure_reason;            // BackoffLimitExceeded, DeadlineExceeded
  std::optional<std::chrono::milliseconds> requeue_after;
};

bool IsFinished(const json::object& job);  // Complete or Failed condition True
// When the job finished (completionTime, or the terminal condition's transition time).
std::optional<TimePoint> FinishTime(const json::object& job);
// When ttlSecondsAfterFinished expires; nullopt if not finished or no TTL.
std::optional<TimePoint> TtlExpiry(const json::object& job);
// "1,3-5,7" <-> {1,3,4,5,7}.
std::string FormatIndexes(const std::set<int>& indexes);
std::set<int> ParseIndexes(std::string_view text);
// Delay before the next pod after `failures` failed pods: 10 s doubling, capped at 6 min.
std::chrono::seconds FailureBackoff(int64_t failures);
// The pod a job creates (index set for Indexed jobs).
json::object NewJobPod(const json::object& job, std::optional<int> index);
// What the job's pods call for at `now`.
JobPlan PlanJob(const json::object& job, const PodList& pods, TimePoint now);

}  // namespace job
}  // namespace k1s::controllers
