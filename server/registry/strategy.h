// Per-kind defaulting and validation of built-in objects, as the real API server does for the fields
// people use: pod specs (also inside workload templates), workloads (selectors that match template
// labels, replicas, strategies), jobs (generated selectors), cronjobs (schedules, time zones), PVCs,
// metadata labels/annotations, and the immutable fields checked on update. Errors carry upstream's
// field paths and wording so kubectl prints them as it does against Kubernetes. Services are handled
// by services.h. Owned by the registry; pure functions, any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "server/registry/field_error.h"
#include "server/registry/resources.h"

namespace k1s::registry {

// Fills the defaults upstream sets (pods: restartPolicy, dnsPolicy, schedulerName, container
// terminationMessagePath, imagePullPolicy, ...; deployments: replicas, strategy, revisionHistoryLimit,
// progressDeadlineSeconds; ...). Idempotent; called on create and on every update, after metadata
// (name, uid) is set. Resource quantities in containers and PVCs are rewritten in canonical form.
// Fields of the wrong JSON type are left alone for Validate to report. Unknown kinds: untouched.
void ApplyDefaults(const ResourceInfo& r, boost::json::object& obj);

// Field errors of obj (after defaults). old is the stored object on update (nullptr on create); then
// immutable fields are checked too. Empty when valid. Metadata name/namespace are checked elsewhere.
// Unknown kinds: no errors.
std::vector<FieldError> Validate(const ResourceInfo& r, const boost::json::object& obj,
                                 const boost::json::object* old);

// "spec.containers[0].name: Required value" -- how kubectl prints one cause.
std::string FormatFieldError(const FieldError& e);

// Whether a cron schedule ("*/5 * * * *", "@hourly", "@every 1h30m") parses as the CronJob controller
// reads it; "" when valid, else the parser's message ("expected exactly 5 fields, found 3: [* * *]").
std::string ValidateCronSchedule(const std::string& schedule);

}  // namespace k1s::registry
