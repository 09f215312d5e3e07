#include "server/controllers/cronjob/cronjob_logic.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "lib/base/clock.h"
#include "lib/base/strings.h"

namespace k1s::controllers::cronjob {

namespace {

using std::chrono::seconds;
const json::object kEmpty;

int64_t ReadBe(std::string_view d, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

int64_t ToSeconds(TimePoint t) { return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count(); }
TimePoint FromSeconds(int64_t s) { return TimePoint(seconds(s)); }

// One cron field into a bit set; names maps lower-case names to numbers.
Result<uint64_t> ParseField(std::string_view text, int lo, int hi, const std::vector<std::string>& names,
                            int name_base) {
  auto number = [&](std::string_view s) -> Result<int> {
    std::string lower;
    for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == lower) return static_cast<int>(i) + name_base;
    int v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return Fail(ErrorCode::kInvalid, "bad value \"" + std::string(s) + "\"");
    return v;
  };
  uint64_t bits = 0;
  for (const std::string& item : Split(text, ',')) {
    std::string_view it = item;
    int step = 1;
    if (size_t slash = it.find('/'); slash != std::string_view::npos) {
      auto s = number(it.substr(slash + 1));
      if (!s.ok() || *s <= 0) return Fail(ErrorCode::kInvalid, "bad step in \"" + item + "\"");
      step = *s;
      it = it.substr(0, slash);
    }
    int a = lo, b = hi;
    if (it == "*" || it == "?") {
    } else if (size_t dash = it.find('-'); dash != std::string_view::npos) {
      K1S_ASSIGN_OR_RETURN(a, number(it.substr(0, dash)));
      K1S_ASSIGN_OR_RETURN(b, number(it.substr(dash + 1)));
    } else {
      K1S_ASSIGN_OR_RETURN(a, number(it));
      b = step > 1 || item.find('/') != std::string::npos ? hi : a;
    }
    if (a < lo || b > hi || a > b) return Fail(ErrorCode::kInvalid, "value out of range in \"" + item + "\"");
    for (int v = a; v <= b; v += step) bits |= uint64_t{1} << v;
  }
  return bits;
}

const std::vector<std::string> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
const std::vector<std::string> kDays{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

bool Has(uint64_t bits, int v) { return (bits >> v) & 1; }

}  // namespace

TimeZone TimeZone::Utc() { return TimeZone(); }

Result<TimeZone> TimeZone::FromTzif(std::string_view d) {
  auto header = [&](size_t pos, std::array<int64_t, 6>& counts) -> bool {
    if (d.size() < pos + 44 || d.substr(pos, 4) != "TZif") return false;
    for (int i = 0; i < 6; ++i) counts[i] = ReadBe(d, pos + 20 + 4 * i, 4);
    return true;
  };
  std::array<int64_t, 6> c{};  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, c)) return Fail(ErrorCode::kInvalid, "not a TZif file");
  size_t pos = 44;
  int time_size = 4;
  if (d[4] >= '2') {  // skip the 32-bit block, use the 64-bit one
    pos += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(pos, c)) return Fail(ErrorCode::kInvalid, "bad TZif v2 header");
    pos += 44;
    time_size = 8;
  }
  size_t need = pos + c[3] * time_size + c[3] + c[4] * 6;
  if (c[4] <= 0 || d.size() < need) return Fail(ErrorCode::kInvalid, "truncated TZif file");
  std::vector<int32_t> type_offsets;
  std::vector<bool> type_dst;
  size_t types_at = pos + c[3] * time_size + c[3];
  for (int64_t i = 0; i < c[4]; ++i) {
    type_offsets.push_back(static_cast<int32_t>(ReadBe(d, types_at + 6 * i, 4)));
    type_dst.push_back(d[types_at + 6 * i + 4] != 0);
  }
  TimeZone tz;
  tz.initial_offset_ = type_offsets[0];
  for (size_t i = 0; i < type_offsets.size(); ++i)
    if (!type_dst[i]) {
      tz.initial_offset_ = type_offsets[i];
      break;
    }
  for (int64_t i = 0; i < c[3]; ++i) {
    size_t idx = static_cast<unsigned char>(d[pos + c[3] * time_size + i]);
    if (idx >= type_offsets.size()) return Fail(ErrorCode::kInvalid, "bad TZif type index");
    tz.transitions_.push_back(ReadBe(d, pos + i * time_size, time_size));
    tz.offsets_.push_back(type_offsets[idx]);
  }
  return tz;
}

Result<TimeZone> TimeZone::Load(std::string_view name, const std::string& dir) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return Utc();
  if (name.find("..") != std::string_view::npos || name.front() == '/' || name.front() == '.')
    return Fail(ErrorCode::kInvalid, "invalid time zone \"" + std::string(name) + "\"");
  std::ifstream in(dir + "/" + std::string(name), std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "unknown time zone \"" + std::string(name) + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  return FromTzif(ss.str());
}

std::chrono::seconds TimeZone::OffsetAt(TimePoint utc) const {
  int64_t s = ToSeconds(utc);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return seconds(initial_offset_);
  return seconds(offsets_[it - transitions_.begin() - 1]);
}

Result<Schedule> Schedule::Parse(std::string_view text) {
  std::string t(Trim(text));
  static const std::map<std::string, std::string> kMacros{
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
  if (!t.empty() && t[0] == '@') {
    auto m = kMacros.find(t);
    if (m == kMacros.end()) return Fail(ErrorCode::kInvalid, "unrecognized descriptor: " + t);
    t = m->second;
  }
  std::vector<std::string> fields;
  for (auto& f : Split(t, ' '))
    if (!f.empty()) fields.push_back(f);
  if (fields.size() != 5)
    return Fail(ErrorCode::kInvalid, "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + t);
  Schedule s;
  K1S_ASSIGN_OR_RETURN(s.minutes_, ParseField(fields[0], 0, 59, {}, 0));
  K1S_ASSIGN_OR_RETURN(s.hours_, ParseField(fields[1], 0, 23, {}, 0));
  K1S_ASSIGN_OR_RETURN(s.dom_, ParseField(fields[2], 1, 31, {}, 0));
  K1S_ASSIGN_OR_RETURN(s.months_, ParseField(fields[3], 1, 12, kMonths, 1));
  K1S_ASSIGN_OR_RETURN(s.dow_, ParseField(fields[4], 0, 7, kDays, 0));
  if (Has(s.dow_, 7)) s.dow_ |= 1;  // 7 is Sunday too
  s.dom_star_ = fields[2][0] == '*' || fields[2][0] == '?';
  s.dow_star_ = fields[4][0] == '*' || fields[4][0] == '?';
  return s;
}

std::optional<TimePoint> Schedule::Next(TimePoint after, const TimeZone& tz) const {
  using namespace std::chrono;
  // Walk local civil time minute by minute, skipping whole months, days and hours that cannot match.
  int64_t after_s = ToSeconds(after);
  int64_t local = after_s + tz.OffsetAt(after).count();
  local = (local / 60 + 1) * 60;  // the next whole minute
  if (local < 0) return std::nullopt;
  const int64_t limit = local + int64_t{5} * 366 * 86400;
  while (local < limit) {
    sys_days day{days{local / 86400}};
    year_month_day ymd{day};
    int64_t sod = local % 86400;
    int hour = static_cast<int>(sod / 3600), minute = static_cast<int>(sod % 3600 / 60);
    if (!Has(months_, static_cast<int>(static_cast<unsigned>(ymd.month())))) {
      year_month_day first{ymd.year() / ymd.month() / 1};
      local = static_cast<int64_t>(sys_days{first + months{1}}.time_since_epoch().count()) * 86400;
      continue;
    }
    bool dom_ok = Has(dom_, static_cast<int>(static_cast<unsigned>(ymd.day())));
    bool dow_ok = Has(dow_, static_cast<int>(weekday{day}.c_encoding()));
    bool day_ok = (dom_star_ || dow_star_) ? (dom_ok && dow_ok) : (dom_ok || dow_ok);
    if (!day_ok) {
      local = (local / 86400 + 1) * 86400;
      continue;
    }
    if (!Has(hours_, hour)) {
      local = (local / 3600 + 1) * 3600;
      continue;
    }
    if (!Has(minutes_, minute)) {
      local += 60;
      continue;
    }
    // Local time -> UTC (two rounds settle the offset; times in a DST gap are skipped).
    int64_t utc = local - tz.OffsetAt(FromSeconds(local)).count();
    utc = local - tz.OffsetAt(FromSeconds(utc)).count();
    if (utc > after_s && utc + tz.OffsetAt(FromSeconds(utc)).count() == local) return FromSeconds(utc);
    local += 60;
  }
  return std::nullopt;
}

std::string JobName(const json::object& cj, TimePoint scheduled) {
  return MetaString(cj, "name") + "-" + std::to_string(ToSeconds(scheduled) / 60);
}

json::object NewJob(const json::object& cj, TimePoint scheduled) {
  const json::object* spec = ObjAt(cj, "spec");
  const json::object* jt = spec ? ObjAt(*spec, "jobTemplate") : nullptr;
  const json::object* jmeta = jt ? ObjAt(*jt, "metadata") : nullptr;
  json::object meta{{"name", JobName(cj, scheduled)}, {"namespace", MetaString(cj, "namespace")}};
  if (jmeta)
    if (const json::object* l = ObjAt(*jmeta, "labels")) meta["labels"] = *l;
  json::object annotations = jmeta && ObjAt(*jmeta, "annotations") ? *ObjAt(*jmeta, "annotations") : json::object();
  annotations[kScheduledTimestampAnnotation] = TimeString(scheduled);
  meta["annotations"] = std::move(annotations);
  meta["ownerReferences"] = json::array{ControllerRef(cj, "batch/v1", "CronJob")};
  json::object job_spec = jt && ObjAt(*jt, "spec") ? *ObjAt(*jt, "spec") : json::object();
  return json::object{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(meta)},
                      {"spec", std::move(job_spec)}};
}

namespace {

json::object JobRef(const json::object& j) {
  return json::object{{"apiVersion", "batch/v1"},          {"kind", "Job"},
                      {"name", MetaString(j, "name")},           {"namespace", MetaString(j, "namespace")},
                      {"uid", MetaString(j, "uid")},             {"resourceVersion", MetaString(j, "resourceVersion")}};
}

bool JobSucceeded(const json::object& j) {
  const json::object* c = FindCondition(j, "Complete");
  return c && StrAt(*c, "status") == "True";
}

std::string StartOf(const json::object& j) {
  const json::object* s = ObjAt(j, "status");
  std::string t = s ? StrAt(*s, "startTime") : "";
  return t.empty() ? MetaString(j, "creationTimestamp") : t;
}

}  // namespace

CronPlan PlanCronJob(const json::object& cj, const PodList& jobs, const Schedule& schedule, const TimeZone& tz,
                     TimePoint now) {
  CronPlan plan;
  const json::object& spec = ObjAt(cj, "spec") ? *ObjAt(cj, "spec") : kEmpty;
  plan.status = ObjAt(cj, "status") ? *ObjAt(cj, "status") : json::object();
  json::object& st = plan.status;

  // Active jobs, last success, history.
  json::array active;
  std::vector<std::shared_ptr<const json::object>> succeeded, failed;
  std::optional<TimePoint> last_success = ParseTime(StrAt(st, "lastSuccessfulTime"));
  std::set<std::string> names;
  for (const auto& j : jobs) {
    names.insert(MetaString(*j, "name"));
    if (!job::IsFinished(*j)) {
      if (MetaString(*j, "deletionTimestamp").empty()) active.push_back(JobRef(*j));
      continue;
    }
    if (JobSucceeded(*j)) {
      succeeded.push_back(j);
      if (auto t = job::FinishTime(*j); t && (!last_success || *t > *last_success)) last_success = t;
    } else {
      failed.push_back(j);
    }
  }
  if (last_success) st["lastSuccessfulTime"] = TimeString(*last_success);
  auto prune = [&](std::vector<std::shared_ptr<const json::object>> v, int64_t limit) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return StartOf(*a) < StartOf(*b); });
    for (size_t i = 0; static_cast<int64_t>(v.size() - i) > limit; ++i)
      if (MetaString(*v[i], "deletionTimestamp").empty()) plan.delete_history.push_back(MetaString(*v[i], "name"));
  };
  prune(succeeded, IntAt(spec, "successfulJobsHistoryLimit").value_or(3));
  prune(failed, IntAt(spec, "failedJobsHistoryLimit").value_or(1));

  auto finish = [&]() -> CronPlan& {
    if (active.empty()) st.erase("active");
    else st["active"] = active;
    return plan;
  };
  if (!MetaString(cj, "deletionTimestamp").empty() || BoolAt(spec, "suspend")) return finish();

  // The most recent unmet scheduled time.
  std::optional<TimePoint> earliest = ParseTime(StrAt(st, "lastScheduleTime"));
  if (!earliest) earliest = ParseTime(MetaString(cj, "creationTimestamp"));
  if (!earliest) earliest = now;
  const std::optional<int64_t> sds = IntAt(spec, "startingDeadlineSeconds");
  if (sds && now - ClampedSeconds(*sds) > *earliest) earliest = now - ClampedSeconds(*sds);
  std::optional<TimePoint> latest;
  int missed = 0;
  for (auto t = schedule.Next(*earliest, tz); t && *t <= now; t = schedule.Next(*t, tz)) {
    latest = t;
    if (++missed > 100) {  // too many: look only at the last two days
      TimePoint from = std::max(*earliest, now - std::chrono::hours(48));
      for (auto u = schedule.Next(from, tz); u && *u <= now; u = schedule.Next(*u, tz)) latest = u;
      break;
    }
  }
  if (auto next = schedule.Next(now, tz))
    plan.requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now);
  if (missed > 100)
    plan.events.push_back({"Warning", "TooManyMissedTimes",
                           "too many missed start times: " + std::to_string(missed) +
                               ". Set or decrease .spec.startingDeadlineSeconds or check clock skew"});
  if (!latest) return finish();
  if (names.count(JobName(cj, *latest))) {  // already ran
    st["lastScheduleTime"] = TimeString(*latest);
    return finish();
  }
  if (sds && *latest + ClampedSeconds(*sds) < now) {
    plan.events.push_back({"Warning", "MissSchedule", "Missed scheduled time to start a job: " + TimeString(*latest)});
    return finish();
  }
  std::string policy = StrAt(spec, "concurrencyPolicy");
  if (policy == "Forbid" && !active.empty()) {
    plan.events.push_back({"Normal", "JobAlreadyActive",
                           "Not starting job because prior execution is running and concurrency policy is Forbid"});
    return finish();
  }
  if (policy == "Replace") {
    for (const auto& a : active) plan.delete_active.push_back(StrAt(a.get_object(), "name"));
    active.clear();
  }
  plan.create_for = latest;
  st["lastScheduleTime"] = TimeString(*latest);
  return finish();
}

}  // namespace k1s::controllers::cronjob
