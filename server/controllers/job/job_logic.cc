#include "server/controllers/job/job_logic.h"

#include <algorithm>
#include <charconv>

#include "lib/api/meta.h"
#include "lib/base/clock.h"
#include "lib/client/client.h"

namespace k1s::controllers {

bool SelectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels) {
  return api::LabelSelectorMatches(selector, labels);
}

json::object ControllerRef(const json::object& owner, std::string_view api_version, std::string_view kind) {
  return json::object{{"apiVersion", api_version}, {"kind", kind},          {"name", MetaString(owner, "name")},
                      {"uid", MetaString(owner, "uid")},  {"controller", true},   {"blockOwnerDeletion", true}};
}

std::string ControllerNameOf(const json::object& obj, std::string_view kind) {
  const json::object* m = ObjAt(obj, "metadata");
  const json::array* refs = m ? ArrAt(*m, "ownerReferences") : nullptr;
  if (!refs) return "";
  for (const auto& r : *refs) {
    if (!r.is_object()) continue;
    const json::object& ro = r.get_object();
    if (BoolAt(ro, "controller")) return StrAt(ro, "kind") == kind ? StrAt(ro, "name") : "";
  }
  return "";
}

std::optional<TimePoint> ParseTime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto t = client::ParseMicroTime(text);
  if (!t) return std::nullopt;
  return std::chrono::time_point_cast<TimePoint::duration>(*t);
}
std::string TimeString(TimePoint t) { return client::FormatTime(t); }

std::string PodPhase(const json::object& pod) {
  const json::object* s = ObjAt(pod, "status");
  std::string p = s ? StrAt(*s, "phase") : "";
  return p.empty() ? "Pending" : p;
}
const json::object* FindCondition(const json::object& obj, std::string_view type) {
  return api::ConditionAt(ObjAt(obj, "status"), type);
}
bool IsPodReady(const json::object& pod) {
  const json::object* c = FindCondition(pod, "Ready");
  return c && StrAt(*c, "status") == "True";
}
bool IsPodTerminating(const json::object& pod) { return !MetaString(pod, "deletionTimestamp").empty(); }
bool IsPodActive(const json::object& pod) {
  std::string p = PodPhase(pod);
  return p != "Succeeded" && p != "Failed" && !IsPodTerminating(pod);
}
bool IsPodAvailable(const json::object& pod, int64_t min_ready_seconds, TimePoint now) {
  if (!IsPodReady(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  const json::object* c = FindCondition(pod, "Ready");
  auto since = ParseTime(StrAt(*c, "lastTransitionTime"));
  return !since || *since + ClampedSeconds(min_ready_seconds) <= now;
}

bool SetCondition(json::object& status, std::string_view type, std::string_view cond_status,
                  std::string_view reason, std::string_view message, TimePoint now) {
  json::value& cv = status["conditions"];
  if (!cv.is_array()) cv = json::array();
  json::array& conds = cv.get_array();
  for (auto& c : conds) {
    if (!c.is_object() || StrAt(c.get_object(), "type") != type) continue;
    json::object& co = c.get_object();
    if (StrAt(co, "status") == cond_status && StrAt(co, "reason") == reason && StrAt(co, "message") == message)
      return false;
    if (StrAt(co, "status") != cond_status) co["lastTransitionTime"] = TimeString(now);
    co["status"] = cond_status;
    co["reason"] = reason;
    co["message"] = message;
    co["lastProbeTime"] = TimeString(now);
    return true;
  }
  conds.push_back(json::object{{"type", type},
                               {"status", cond_status},
                               {"reason", reason},
                               {"message", message},
                               {"lastProbeTime", TimeString(now)},
                               {"lastTransitionTime", TimeString(now)}});
  return true;
}

std::string ShortHash(const json::value& v) {
  std::string text = json::serialize(v);
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  // Consonants and digits only, as upstream's safe encoding, so a hash never spells a word.
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  do {
    out.push_back(kAlphabet[h % 27]);
    h /= 27;
  } while (h != 0);
  return out;
}

namespace job {

bool IsFinished(const json::object& j) {
  for (const char* t : {"Complete", "Failed"}) {
    const json::object* c = FindCondition(j, t);
    if (c && StrAt(*c, "status") == "True") return true;
  }
  return false;
}

std::optional<TimePoint> FinishTime(const json::object& j) {
  if (!IsFinished(j)) return std::nullopt;
  const json::object* s = ObjAt(j, "status");
  if (s)
    if (auto t = ParseTime(StrAt(*s, "completionTime"))) return t;
  for (const char* t : {"Complete", "Failed"}) {
    const json::object* c = FindCondition(j, t);
    if (c && StrAt(*c, "status") == "True") return ParseTime(StrAt(*c, "lastTransitionTime"));
  }
  return std::nullopt;
}

std::optional<TimePoint> TtlExpiry(const json::object& j) {
  const json::object* spec = ObjAt(j, "spec");
  auto ttl = spec ? IntAt(*spec, "ttlSecondsAfterFinished") : std::nullopt;
  auto fin = FinishTime(j);
  if (!ttl || !fin) return std::nullopt;
  return *fin + ClampedSeconds(*ttl);
}

std::string FormatIndexes(const std::set<int>& indexes) {
  std::string out;
  for (auto it = indexes.begin(); it != indexes.end();) {
    int first = *it, last = *it;
    ++it;
    while (it != indexes.end() && *it == last + 1) last = *it++;
    if (!out.empty()) out += ',';
    out += std::to_string(first);
    if (last != first) out += "-" + std::to_string(last);
  }
  return out;
}

std::set<int> ParseIndexes(std::string_view text) {
  std::set<int> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    std::string_view part = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? text.size() : comma + 1;
    size_t dash = part.find('-');
    int a = 0, b = 0;
    auto pa = std::from_chars(part.data(), part.data() + (dash == std::string_view::npos ? part.size() : dash), a);
    if (pa.ec != std::errc()) continue;
    b = a;
    if (dash != std::string_view::npos &&
        std::from_chars(part.data() + dash + 1, part.data() + part.size(), b).ec != std::errc())
      continue;
    for (int i = a; i <= b && i - a < 1000000; ++i) out.insert(i);
  }
  return out;
}

std::chrono::seconds FailureBackoff(int64_t failures) {
  if (failures <= 0) return std::chrono::seconds(0);
  int64_t s = 10;
  for (int64_t i = 1; i < failures && s < 360; ++i) s *= 2;
  return std::chrono::seconds(std::min<int64_t>(s, 360));
}

namespace {

std::optional<int> PodIndex(const json::object& pod) {
  const json::object* m = ObjAt(pod, "metadata");
  const json::object* a = m ? ObjAt(*m, "annotations") : nullptr;
  std::string v = a ? StrAt(*a, kCompletionIndexAnnotation) : "";
  int i = 0;
  if (v.empty() || std::from_chars(v.data(), v.data() + v.size(), i).ec != std::errc() || i < 0) return std::nullopt;
  return i;
}

void AddIndexEnv(json::object& spec, std::string_view list) {
  auto it = spec.find(list);
  if (it == spec.end() || !it->value().is_array()) return;
  for (auto& c : it->value().get_array()) {
    if (!c.is_object()) continue;
    json::value& env = c.get_object()["env"];
    if (!env.is_array()) env = json::array();
    bool present = false;
    for (const auto& e : env.get_array())
      if (e.is_object() && StrAt(e.get_object(), "name") == kCompletionIndexEnv) present = true;
    if (present) continue;
    env.get_array().push_back(json::object{
        {"name", kCompletionIndexEnv},
        {"valueFrom",
         json::object{{"fieldRef", json::object{{"fieldPath", std::string("metadata.annotations['") +
                                                                   kCompletionIndexAnnotation + "']"}}}}}});
  }
}

// The newest failure time among failed pods (container finishedAt, else the pod's creation).
std::optional<TimePoint> LastFailure(const PodList& failed) {
  std::optional<TimePoint> last;
  for (const auto& p : failed) {
    std::optional<TimePoint> t;
    const json::object* s = ObjAt(*p, "status");
    if (const json::array* cs = s ? ArrAt(*s, "containerStatuses") : nullptr)
      for (const auto& c : *cs) {
        const json::object* st = c.is_object() ? ObjAt(c.get_object(), "state") : nullptr;
        const json::object* term = st ? ObjAt(*st, "terminated") : nullptr;
        if (auto f = term ? ParseTime(StrAt(*term, "finishedAt")) : std::nullopt; f && (!t || *f > *t)) t = f;
      }
    if (!t) {
      const json::object* rc = FindCondition(*p, "Ready");
      t = rc ? ParseTime(StrAt(*rc, "lastTransitionTime")) : std::nullopt;
    }
    if (!t) t = ParseTime(MetaString(*p, "creationTimestamp"));
    if (t && (!last || *t > *last)) last = t;
  }
  return last;
}

bool ConditionTrue(const json::object& status, std::string_view type) {
  const json::array* conds = ArrAt(status, "conditions");
  if (!conds) return false;
  for (const auto& c : *conds)
    if (c.is_object() && StrAt(c.get_object(), "type") == type && StrAt(c.get_object(), "status") == "True")
      return true;
  return false;
}

}  // namespace

json::object NewJobPod(const json::object& j, std::optional<int> index) {
  static const json::object kEmpty;
  const json::object* spec = ObjAt(j, "spec");
  const json::object* tmpl = spec ? ObjAt(*spec, "template") : nullptr;
  const json::object* tmeta = tmpl ? ObjAt(*tmpl, "metadata") : nullptr;
  const json::object* tspec = tmpl ? ObjAt(*tmpl, "spec") : nullptr;
  std::string name = MetaString(j, "name");

  json::object meta;
  meta["generateName"] = index ? name + "-" + std::to_string(*index) + "-" : name + "-";
  meta["namespace"] = MetaString(j, "namespace");
  json::object labels = tmeta && ObjAt(*tmeta, "labels") ? *ObjAt(*tmeta, "labels") : json::object();
  json::object annotations = tmeta && ObjAt(*tmeta, "annotations") ? *ObjAt(*tmeta, "annotations") : json::object();
  if (index) {
    annotations[kCompletionIndexAnnotation] = std::to_string(*index);
    labels[kCompletionIndexAnnotation] = std::to_string(*index);
  }
  if (!labels.empty()) meta["labels"] = std::move(labels);
  if (!annotations.empty()) meta["annotations"] = std::move(annotations);
  if (tmeta)
    if (const json::array* fin = ArrAt(*tmeta, "finalizers")) meta["finalizers"] = *fin;
  meta["ownerReferences"] = json::array{ControllerRef(j, "batch/v1", "Job")};

  json::object pod_spec = tspec ? *tspec : kEmpty;
  if (index) {
    if (StrAt(pod_spec, "hostname").empty()) pod_spec["hostname"] = name + "-" + std::to_string(*index);
    AddIndexEnv(pod_spec, "containers");
    AddIndexEnv(pod_spec, "initContainers");
  }
  return json::object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)},
                      {"spec", std::move(pod_spec)}};
}

JobPlan PlanJob(const json::object& j, const PodList& pods, TimePoint now) {
  static const json::object kEmpty;
  JobPlan plan;
  const json::object& spec = ObjAt(j, "spec") ? *ObjAt(j, "spec") : kEmpty;
  plan.status = ObjAt(j, "status") ? *ObjAt(j, "status") : json::object();
  json::object& st = plan.status;

  const int64_t parallelism = std::max<int64_t>(0, IntAt(spec, "parallelism").value_or(1));
  const std::optional<int64_t> completions = IntAt(spec, "completions");
  const bool indexed = StrAt(spec, "completionMode") == "Indexed" && completions.has_value();
  const int64_t backoff_limit = IntAt(spec, "backoffLimit").value_or(6);
  const std::optional<int64_t> deadline = IntAt(spec, "activeDeadlineSeconds");
  const bool suspend = BoolAt(spec, "suspend");
  const json::object* tspec = ObjAt(spec, "template") ? ObjAt(*ObjAt(spec, "template"), "spec") : nullptr;
  const bool restart_on_failure = tspec && StrAt(*tspec, "restartPolicy") == "OnFailure";

  // Sort the pods out.
  PodList active, terminating, succeeded, failed;
  for (const auto& p : pods) {
    std::string phase = PodPhase(*p);
    if (phase == "Succeeded") succeeded.push_back(p);
    else if (phase == "Failed") failed.push_back(p);
    else if (IsPodTerminating(*p)) terminating.push_back(p);
    else active.push_back(p);
  }
  // Counts never go down (pods may be garbage-collected after they were counted).
  int64_t n_failed = std::max<int64_t>(IntAt(st, "failed").value_or(0), static_cast<int64_t>(failed.size()));
  int64_t n_succeeded;
  std::set<int> completed = ParseIndexes(StrAt(st, "completedIndexes"));
  if (indexed) {
    for (const auto& p : succeeded)
      if (auto i = PodIndex(*p); i && *i < *completions) completed.insert(*i);
    n_succeeded = static_cast<int64_t>(completed.size());
  } else {
    n_succeeded = std::max<int64_t>(IntAt(st, "succeeded").value_or(0), static_cast<int64_t>(succeeded.size()));
  }
  int64_t restarts = 0;
  if (restart_on_failure)
    for (const auto& p : active) {
      const json::object* s = ObjAt(*p, "status");
      if (const json::array* cs = s ? ArrAt(*s, "containerStatuses") : nullptr)
        for (const auto& c : *cs)
          if (c.is_object()) restarts += IntAt(c.get_object(), "restartCount").value_or(0);
    }

  auto delete_all_active = [&] {
    for (const auto& p : active) plan.delete_pods.push_back(MetaString(*p, "name"));
  };
  auto ready_count = [&] {
    int64_t n = 0;
    for (const auto& p : active) n += IsPodReady(*p) ? 1 : 0;
    return n;
  };
  auto finish_status = [&](int64_t n_active) {
    st["active"] = n_active;
    st["succeeded"] = n_succeeded;
    st["failed"] = n_failed;
    st["ready"] = n_active == 0 ? 0 : ready_count();
    st["terminating"] = static_cast<int64_t>(terminating.size());
    if (indexed) st["completedIndexes"] = FormatIndexes(completed);
    if (!st.contains("uncountedTerminatedPods")) st["uncountedTerminatedPods"] = json::object();
  };

  if (IsFinished(j)) {
    delete_all_active();
    finish_status(0);
    return plan;
  }

  // Terminal paths: a failure or success target first, the terminal condition once no pod runs.
  std::string failure_reason, failure_message;
  if (const json::object* ft = FindCondition(j, "FailureTarget"); ft && StrAt(*ft, "status") == "True") {
    failure_reason = StrAt(*ft, "reason");
    failure_message = StrAt(*ft, "message");
  } else if (n_failed + restarts > backoff_limit) {
    failure_reason = "BackoffLimitExceeded";
    failure_message = "Job has reached the specified backoff limit";
  } else if (auto start = ParseTime(StrAt(st, "startTime")); deadline && start && !suspend) {
    if (*start + ClampedSeconds(*deadline) <= now) {
      failure_reason = "DeadlineExceeded";
      failure_message = "Job was active longer than specified deadline";
    } else {
      plan.requeue_after =
          std::chrono::duration_cast<std::chrono::milliseconds>(*start + ClampedSeconds(*deadline) - now);
    }
  }
  if (!failure_reason.empty()) {
    SetCondition(st, "FailureTarget", "True", failure_reason, failure_message, now);
    delete_all_active();
    if (terminating.empty() && active.empty()) {
      SetCondition(st, "Failed", "True", failure_reason, failure_message, now);
      plan.finished = "Failed";
      plan.failure_reason = failure_reason;
    }
    plan.requeue_after.reset();
    finish_status(0);
    return plan;
  }

  bool complete;
  if (indexed) complete = n_succeeded >= *completions;
  else if (completions) complete = n_succeeded >= *completions;
  else complete = n_succeeded > 0 && active.empty();  // work-queue jobs: one success and nothing left running
  if (complete || ConditionTrue(st, "SuccessCriteriaMet")) {
    SetCondition(st, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods",
                 now);
    delete_all_active();
    if (terminating.empty() && active.empty()) {
      SetCondition(st, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
      st["completionTime"] = TimeString(now);
      plan.finished = "Complete";
    }
    plan.requeue_after.reset();
    finish_status(0);
    return plan;
  }

  if (suspend) {
    SetCondition(st, "Suspended", "True", "JobSuspended", "Job suspended", now);
    delete_all_active();
    finish_status(0);
    return plan;
  }
  if (const json::object* sc = FindCondition(j, "Suspended"); sc && StrAt(*sc, "status") == "True") {
    SetCondition(st, "Suspended", "False", "JobResumed", "Job resumed", now);
    st["startTime"] = TimeString(now);  // the deadline counts from the resume
  }
  if (StrAt(st, "startTime").empty()) st["startTime"] = TimeString(now);
  if (deadline && !plan.requeue_after) plan.requeue_after = ClampedSeconds(*deadline);

  // How many pods should run, and which.
  int64_t n_active = static_cast<int64_t>(active.size());
  // Newest first among the not-ready pods, then newest first: the ones to delete on scale-down.
  auto deletion_order = [](PodList v) {
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      bool ra = IsPodReady(*a), rb = IsPodReady(*b);
      if (ra != rb) return !ra;
      return MetaString(*a, "creationTimestamp") > MetaString(*b, "creationTimestamp");
    });
    return v;
  };
  std::vector<int> to_create_indexes;
  int64_t want = 0;
  if (indexed) {
    std::map<int, PodList> by_index;
    for (const auto& p : active) {
      auto i = PodIndex(*p);
      if (!i || *i >= *completions || completed.count(*i)) plan.delete_pods.push_back(MetaString(*p, "name"));
      else by_index[*i].push_back(p);
    }
    PodList keep;
    for (auto& [i, v] : by_index) {  // one pod per index
      auto ordered = deletion_order(v);
      for (size_t k = 0; k + 1 < ordered.size(); ++k) plan.delete_pods.push_back(MetaString(*ordered[k], "name"));
      keep.push_back(ordered.back());
    }
    n_active = static_cast<int64_t>(keep.size());
    want = std::min<int64_t>(parallelism, *completions - n_succeeded);
    if (n_active > want) {
      auto ordered = deletion_order(keep);
      for (int64_t k = 0; k < n_active - want; ++k) plan.delete_pods.push_back(MetaString(*ordered[k], "name"));
      n_active = want;
    }
    for (int i = 0; i < *completions && n_active + static_cast<int64_t>(to_create_indexes.size()) < want; ++i)
      if (!completed.count(i) && !by_index.count(i)) to_create_indexes.push_back(i);
  } else {
    if (completions) want = std::min<int64_t>(parallelism, *completions - n_succeeded);
    else want = n_succeeded > 0 ? n_active : parallelism;  // after a success, no new work-queue pods
    if (n_active > want) {
      auto ordered = deletion_order(active);
      for (int64_t k = 0; k < n_active - want; ++k) plan.delete_pods.push_back(MetaString(*ordered[k], "name"));
      n_active = want;
    }
  }
  int64_t missing = indexed ? static_cast<int64_t>(to_create_indexes.size()) : std::max<int64_t>(0, want - n_active);
  if (missing > 0 && n_failed > 0) {
    // Pods are replaced after failures only once the backoff has passed.
    auto last = LastFailure(failed);
    if (last && *last + FailureBackoff(n_failed) > now) {
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*last + FailureBackoff(n_failed) - now);
      if (!plan.requeue_after || wait < *plan.requeue_after) plan.requeue_after = wait;
      missing = 0;
      to_create_indexes.clear();
    }
  }
  if (indexed) plan.create_indexes = to_create_indexes;
  else plan.create_count = static_cast<int>(missing);
  n_active += missing;
  finish_status(n_active);
  // ready counts the pods that exist and are ready.
  return plan;
}

}  // namespace job
}  // namespace k1s::controllers
