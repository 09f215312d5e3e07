// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, as kube-scheduler and
// kube-controller-manager do it, so only one process of a group runs its loops. The holder renews
// spec.renewTime every retry period; a candidate takes the Lease once the holder has not renewed it
// for leaseDurationSeconds (measured by the candidate's own clock from when it last saw a change);
// every write carries the Lease's resourceVersion, so two candidates never both win.
// Owned by the component that needs leadership; runs one thread; callbacks are called from it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/client.h"

namespace k1s::client {

struct LeaderElectionConfig {
  std::string lease_namespace = "kube-system";
  std::string lease_name;  // "kube-scheduler", "kube-controller-manager"
  std::string identity;    // unique per candidate ("<hostname>_<uid>")
  // How long others wait after the last renewal they saw before taking over (whole seconds in the Lease).
  std::chrono::milliseconds lease_duration{15000};
  // The leader gives up when it has not renewed for this long.
  std::chrono::milliseconds renew_deadline{10000};
  // Time between attempts to acquire or renew.
  std::chrono::milliseconds retry_period{2000};
  // Give the Lease up (holder "") on Stop, so another candidate takes over at once.
  bool release_on_cancel = true;
  // Called when this candidate becomes leader / stops being leader (lost or Stop). They must return
  // quickly (start or stop the loops and return). After a loss the elector tries to acquire again.
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Called when the observed holder changes (any candidate, including this one).
  std::function<void(const std::string& identity)> on_new_leader;
  Clock* clock = nullptr;  // nullptr: the system clock
};

class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig config);
  ~LeaderElector();  // Stops
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts the election thread (once).
  void Start();
  // Ends the thread; a leader calls on_stopped_leading and (release_on_cancel) releases the Lease.
  // Safe from a callback (then the thread ends after it returns).
  void Stop();
  bool IsLeader() const;
  // The holder last observed ("" when none).
  std::string Leader() const;

  // One attempt to acquire or renew (what the thread does every retry period): true when this
  // candidate holds the Lease afterwards. For tests and for callers that drive the loop themselves.
  bool TryAcquireOrRenew();
  // Gives the Lease up if held (holder "", leaseDurationSeconds 1).
  Status Release();

 private:
  void Run();
  bool Wait(std::chrono::milliseconds d);
  void SetLeader(bool leading);
  void ObserveHolder(const std::string& holder);

  Client& client_;
  const LeaderElectionConfig config_;
  Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  bool leading_ = false;
  std::string observed_holder_;
  std::string observed_renew_time_;  // the Lease's spec.renewTime when last seen changing
  std::chrono::steady_clock::time_point observed_at_{};
  std::chrono::steady_clock::time_point last_renew_{};
  std::thread thread_;
};

}  // namespace k1s::client
