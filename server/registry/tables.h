// Server-side tables (meta.k8s.io/v1 Table, what `kubectl get` prints): the column definitions and
// the cells of one row for every built-in kind, as Kubernetes 1.32's printers make them (priority 1 =
// the extra `-o wide` columns; like upstream's server, every row carries them). Kinds upstream serves
// with its default convertor (roles, limit ranges, CRDs) get Name and Created At; unknown kinds get Name
// and Age. Objects may be partial or malformed: a field of the wrong shape reads as absent.
// Used by the API server for `as=Table` responses. Pure functions; any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/registry/resources.h"

namespace k1s::registry {

// columnDefinitions for r: [{name, type, format, description, priority}, ...].
boost::json::array TableColumns(const ResourceInfo& r);
// The cells of obj's row, in the order of TableColumns(r).
boost::json::array TableCells(const ResourceInfo& r, const boost::json::object& obj);
// The Table of a scale subresource (autoscaling/v1 Scale, `kubectl get deploy x --subresource=scale`):
// upstream's Name, Desired (spec.replicas) and Available (status.replicas).
boost::json::array ScaleTableColumns();
boost::json::array ScaleTableCells(const boost::json::object& scale);
// kubectl's humanized age ("45s", "3m12s", "5h", "12d") of an RFC 3339 timestamp, relative to now.
std::string HumanAge(const std::string& rfc3339);

// TableCells as of now_unix (seconds since the epoch) instead of the clock: for tests.
boost::json::array TableCellsAt(const ResourceInfo& r, const boost::json::object& obj, int64_t now_unix);
// kubectl's humanized duration of a number of seconds ("0s" for -1, "<invalid>" below that).
std::string HumanDuration(int64_t seconds);
// Seconds since the epoch of an RFC 3339 timestamp ("2024-05-01T10:00:00Z", fractions and offsets
// allowed); nullopt when it is not one.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace k1s::registry
