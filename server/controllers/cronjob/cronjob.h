// CronJobController: creates Jobs on a cron schedule (upstream pkg/controller/cronjob, 1.32).
// WATCHES: batch/v1 cronjobs, batch/v1 jobs (by controller uid).
// WRITES:  jobs (create <cronjob>-<minutes since epoch>, delete for Replace and history limits),
//          cronjobs/status (active, lastScheduleTime, lastSuccessfulTime), Events.
// INVARIANT: each scheduled time that is due (within startingDeadlineSeconds) gets at most one Job,
//   subject to suspend and concurrencyPolicy; a CronJob is requeued for its next scheduled time
//   rather than polled. Handlers run on informer threads and only enqueue; Reconcile on workers.
#pragma once

#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/cronjob/cronjob_logic.h"

namespace k1s::controllers {

class CronJobController final : public Controller {
 public:
  // zoneinfo_dir: where spec.timeZone names are looked up.
  explicit CronJobController(ControllerContext ctx, Clock& clock = SystemClock(),
                             std::string zoneinfo_dir = "/usr/share/zoneinfo");
  ~CronJobController() override;
  std::string Name() const override { return "cronjob-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One pass over the CronJob "ns/name" (public for tests).
  Status Reconcile(const std::string& key);

 private:
  void EnqueueJobOwner(const client::ObjectPtr& job);

  ControllerContext ctx_;
  Clock& clock_;
  const std::string zoneinfo_dir_;
  client::SharedInformer& cronjobs_;
  client::SharedInformer& jobs_;
  client::WorkQueue queue_;
  std::thread runner_;
};

}  // namespace k1s::controllers
