// Controller: what every control loop of the controller manager (and the scheduler) looks like to the
// start-up wiring. A controller registers its informers' event handlers in its constructor (handlers
// only enqueue keys), then Start() runs its workers, each taking keys from its WorkQueue and calling
// an idempotent Reconcile(key). Owned by the ControllerManager; Start/Stop from the wiring thread,
// Reconcile on the controller's worker threads.
#pragma once

#include <memory>
#include <string>

#include "lib/client/client.h"
#include "lib/client/event_recorder.h"
#include "lib/client/informer.h"

namespace k1s::controllers {

// What a controller is built from: the client it writes with, the shared informers it reads from,
// and the recorder of its Events.
struct ControllerContext {
  client::Client& client;
  client::SharedInformerFactory& informers;
  client::EventRecorder& events;
};

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string Name() const = 0;
  // Starts `workers` worker threads (after the informers it uses have synced); returns at once.
  virtual void Start(int workers) = 0;
  // Shuts the queue down and joins the workers.
  virtual void Stop() = 0;
};

}  // namespace k1s::controllers
