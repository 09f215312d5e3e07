// EventRecorder: records core/v1 Events about objects (what `kubectl describe` shows under Events),
// as controllers and the scheduler do upstream: the same event repeated for the same object within
// ten minutes bumps count and lastTimestamp of one Event instead of creating another. Writes go
// through the Client on a background thread so a control loop never waits for them; a full buffer
// drops events (logged) rather than blocking. Thread-safe; owned by the component that records.
#pragma once

#include <boost/json/object.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "lib/client/client.h"

namespace k1s::client {

class EventRecorder {
 public:
  // component: source.component / reportingController ("default-scheduler", "deployment-controller").
  EventRecorder(Client& client, std::string component, std::string host = "");
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // regarding: the object (needs apiVersion/kind/metadata.name/namespace/uid/resourceVersion).
  // type: "Normal" or "Warning"; reason: CamelCase ("Scheduled", "FailedScheduling").
  void Event(const boost::json::object& regarding, const std::string& type, const std::string& reason,
             const std::string& message);
  // Waits until everything recorded so far has been written (tests).
  void Flush();

 private:
  struct Pending {
    boost::json::object regarding;
    std::string type, reason, message;
  };
  void Run();
  void Write(const Pending& p);

  Client& client_;
  const std::string component_, host_;
  std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<Pending> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  // Recent events by (object uid, reason, message): the Event's name, for counting repeats.
  struct Seen {
    std::string ns, name;
    int64_t count = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::map<std::string, Seen> seen_;
  std::thread thread_;
};

// What an Event needs to name obj, an object of resource r: apiVersion, kind and
// metadata.{name, namespace, uid, resourceVersion} (the `regarding` argument of EventRecorder::Event).
boost::json::object Regarding(const boost::json::object& obj, const Resource& r);

}  // namespace k1s::client
