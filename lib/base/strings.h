// String helpers the standard library lacks. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace k1s {

std::vector<std::string> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// Lowercase hex of bytes.
std::string HexEncode(std::string_view bytes);
// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Accepts standard or URL-safe alphabet, padding optional. False on invalid input.
bool Base64Decode(std::string_view in, std::string* out);
// The smallest key greater than every key with this prefix ("" when none): for prefix range scans.
std::string PrefixEnd(std::string_view prefix);
// A whole string as a decimal integer (optional leading '-'); nullopt when empty, not all digits, or out of
// range. Use this (never std::stoi/stoll/atoi) on anything a user or the network supplied.
std::optional<int64_t> ParseInt64(std::string_view s);

}  // namespace k1s
