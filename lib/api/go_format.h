// Go's %q quoting of strings, which Kubernetes' field errors and conflict messages use
// (`Invalid value: "a\tb"`), so k1s words values exactly as kubectl users see them. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace k1s::api {

// s in double quotes with ", \, \n, \t, \r escaped and other control bytes as \xNN.
std::string GoQuote(std::string_view s);

}  // namespace k1s::api
