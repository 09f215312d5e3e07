#include "lib/client/leader_election.h"

#include <random>

#include "lib/api/meta.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"

namespace k1s::client {

namespace {

constexpr const char* kLog = "leader-election";

std::string SpecString(const json::object& spec, const char* field) {
  auto it = spec.find(field);
  return it != spec.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

int64_t SpecInt(const json::object& spec, const char* field) {
  auto it = spec.find(field);
  if (it == spec.end()) return 0;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  return 0;
}

std::chrono::milliseconds Jitter(std::chrono::milliseconds d) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> extra(0, d.count() / 5);
  return d + std::chrono::milliseconds(extra(rng));
}

}  // namespace

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config)
    : client_(client), config_(std::move(config)), clock_(config_.clock ? *config_.clock : SystemClock()) {}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool LeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leading_;
}

std::string LeaderElector::Leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_holder_;
}

void LeaderElector::ObserveHolder(const std::string& holder) {
  bool changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed = holder != observed_holder_;
    observed_holder_ = holder;
  }
  if (changed && !holder.empty()) {
    K1S_LOG(kInfo, kLog) << config_.lease_namespace << "/" << config_.lease_name << ": new leader " << holder;
    if (config_.on_new_leader) config_.on_new_leader(holder);
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  const auto now = clock_.Monotonic();
  const std::string now_text = FormatMicroTime(clock_.Now());
  const int64_t lease_seconds =
      std::max<int64_t>(1, (config_.lease_duration.count() + 999) / 1000);
  auto current = client_.Get(kLeases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    if (!IsNotFound(current.error())) {
      K1S_LOG(kWarn, kLog) << "reading lease " << config_.lease_namespace << "/" << config_.lease_name << ": "
                           << current.error().ToString();
      return false;
    }
    json::object lease{
        {"apiVersion", kLeases.GroupVersion()},
        {"kind", kLeases.kind},
        {"metadata", json::object{{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
        {"spec", json::object{{"holderIdentity", config_.identity},
                              {"leaseDurationSeconds", lease_seconds},
                              {"acquireTime", now_text},
                              {"renewTime", now_text},
                              {"leaseTransitions", 0}}}};
    auto created = client_.Create(kLeases, config_.lease_namespace, std::move(lease));
    if (!created.ok()) {
      if (!IsAlreadyExists(created.error())) {
        K1S_LOG(kWarn, kLog) << "creating lease " << config_.lease_namespace << "/" << config_.lease_name << ": "
                             << created.error().ToString();
      }
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      observed_renew_time_ = now_text;
      observed_at_ = now;
      last_renew_ = now;
    }
    ObserveHolder(config_.identity);
    return true;
  }

  json::object lease = std::move(*current);
  auto& spec_value = lease["spec"];
  if (!spec_value.is_object()) spec_value = json::object();
  json::object& spec = spec_value.as_object();
  const std::string holder = SpecString(spec, "holderIdentity");
  const std::string renew = SpecString(spec, "renewTime");
  int64_t duration = SpecInt(spec, "leaseDurationSeconds");
  if (duration <= 0) duration = lease_seconds;
  std::chrono::steady_clock::time_point observed_at;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (holder != observed_holder_ || renew != observed_renew_time_) {
      observed_renew_time_ = renew;
      observed_at_ = now;
    }
    observed_at = observed_at_;
  }
  ObserveHolder(holder);
  if (!holder.empty() && holder != config_.identity && now < observed_at + ClampedSeconds(duration)) {
    return false;  // held by another, not expired
  }

  const bool ours = holder == config_.identity;
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] = lease_seconds;
  spec["renewTime"] = now_text;
  if (!ours || SpecString(spec, "acquireTime").empty()) spec["acquireTime"] = now_text;
  if (!ours) spec["leaseTransitions"] = SpecInt(spec, "leaseTransitions") + 1;
  // lease keeps metadata.resourceVersion: a concurrent writer makes this a kConflict.
  auto updated = client_.Update(kLeases, config_.lease_namespace, config_.lease_name, std::move(lease));
  if (!updated.ok()) {
    if (!IsConflict(updated.error())) {
      K1S_LOG(kWarn, kLog) << (ours ? "renewing" : "acquiring") << " lease " << config_.lease_namespace << "/"
                           << config_.lease_name << ": " << updated.error().ToString();
    }
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    observed_renew_time_ = now_text;
    observed_at_ = now;
    last_renew_ = now;
  }
  ObserveHolder(config_.identity);
  return true;
}

Status LeaderElector::Release() {
  K1S_ASSIGN_OR_RETURN(json::object lease, client_.Get(kLeases, config_.lease_namespace, config_.lease_name));
  auto& spec_value = lease["spec"];
  if (!spec_value.is_object()) return OkStatus();
  json::object& spec = spec_value.as_object();
  if (SpecString(spec, "holderIdentity") != config_.identity) return OkStatus();
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["renewTime"] = FormatMicroTime(clock_.Now());
  K1S_TRY(client_.Update(kLeases, config_.lease_namespace, config_.lease_name, std::move(lease)));
  std::lock_guard<std::mutex> lock(mu_);
  observed_holder_.clear();
  return OkStatus();
}

bool LeaderElector::Wait(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
  return !stopping_;
}

void LeaderElector::SetLeader(bool leading) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (leading_ == leading) return;
    leading_ = leading;
  }
  K1S_LOG(kInfo, kLog) << config_.identity << (leading ? " became leader of " : " stopped leading ")
                       << config_.lease_namespace << "/" << config_.lease_name;
  if (leading && config_.on_started_leading) config_.on_started_leading();
  if (!leading && config_.on_stopped_leading) config_.on_stopped_leading();
}

void LeaderElector::Run() {
  K1S_LOG(kInfo, kLog) << config_.identity << " attempting to acquire lease " << config_.lease_namespace << "/"
                       << config_.lease_name;
  for (;;) {
    // Acquire.
    bool stop = false;
    while (!TryAcquireOrRenew()) {
      if (!Wait(Jitter(config_.retry_period))) {
        stop = true;
        break;
      }
    }
    if (stop) return;
    SetLeader(true);
    // Renew until stopped or lost.
    while (Wait(config_.retry_period)) {
      if (TryAcquireOrRenew()) continue;
      std::string holder;
      std::chrono::steady_clock::time_point last;
      {
        std::lock_guard<std::mutex> lock(mu_);
        holder = observed_holder_;
        last = last_renew_;
      }
      bool taken = !holder.empty() && holder != config_.identity;
      if (taken || clock_.Monotonic() - last > config_.renew_deadline) {
        K1S_LOG(kWarn, kLog) << config_.identity << " lost lease " << config_.lease_namespace << "/"
                             << config_.lease_name << (taken ? " to " + holder : std::string(" (renew deadline)"));
        SetLeader(false);
        break;
      }
    }
    if (IsLeader()) {
      // Stopping while leading.
      if (config_.release_on_cancel) {
        Status s = Release();
        if (!s.ok()) {
          K1S_LOG(kWarn, kLog) << "releasing lease: " << s.error().ToString();
        }
      }
      SetLeader(false);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
  }
}

}  // namespace k1s::client
