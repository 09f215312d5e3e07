// Quantity: a Kubernetes resource quantity ("100m", "1Gi", "2", "1e3", "500Mi"), parsed with the API
// server's rules and error messages, compared and added exactly, and printed in canonical form.
// Used by validation (requests <= limits), the scheduler (fit) and quota. Plain value type; any thread.
#pragma once

#include <boost/json/value.hpp>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace k1s::api {

class Quantity {
 public:
  // How the quantity prints: 1.5Gi style (BinarySI), 1500M style (DecimalSI), or 1.5e9 (DecimalExponent).
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  // The error messages upstream returns for a malformed quantity.
  static constexpr std::string_view kErrFormatWrong =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  static constexpr std::string_view kErrNumeric = "unable to parse numeric part of quantity";
  static constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";

  Quantity() = default;  // zero, DecimalSI

  // Parses text (no surrounding whitespace). Values finer than 1n are rounded up (away from zero) to
  // 1n; magnitudes above 2^63-1 are capped there. kBadRequest with upstream's message otherwise.
  static Result<Quantity> Parse(std::string_view text);
  // A JSON string, or a JSON number (as YAML "cpu: 2" decodes), surrounding whitespace trimmed.
  static Result<Quantity> FromJson(const boost::json::value& v);
  static Quantity FromValue(int64_t value, Format format = Format::kDecimalSI);       // 3 -> "3"
  static Quantity FromMilli(int64_t milli, Format format = Format::kDecimalSI);       // 1500 -> "1500m"
  static Quantity FromScaled(int64_t value, int scale, Format format = Format::kDecimalSI);  // 5, 6 -> "5M"

  // Canonical form: the largest suffix that keeps the number an integer ("1500m" -> "1500m", "1000m"
  // -> "1", "1024Mi" -> "1Gi", "0.5" -> "500m"). A parsed string already in canonical form is kept
  // as written ("1E3" stays "1E3"), like upstream.
  std::string String() const;

  // Rounded up (away from zero) to an integer / to thousandths; saturate at int64 bounds.
  int64_t Value() const;
  int64_t MilliValue() const;
  // The value in units of 10^scale, rounded up (away from zero): ScaledValue(-3) == MilliValue().
  int64_t ScaledValue(int scale) const;
  double AsApproximateDouble() const;

  bool IsZero() const { return nanos_ == 0; }
  int Sign() const { return nanos_ < 0 ? -1 : nanos_ > 0 ? 1 : 0; }
  Format format() const { return format_; }

  // Rounds up (away from zero) to a multiple of 10^scale; true if nothing was lost.
  bool RoundUp(int scale);

  int Compare(const Quantity& other) const { return nanos_ < other.nanos_ ? -1 : nanos_ > other.nanos_ ? 1 : 0; }
  // Equality and ordering are by value: "1Gi" == "1024Mi".
  bool operator==(const Quantity& other) const { return nanos_ == other.nanos_; }
  std::strong_ordering operator<=>(const Quantity& other) const { return nanos_ <=> other.nanos_; }

  // Sum and difference keep this quantity's format (the other's when this one is zero).
  void Add(const Quantity& other);
  void Sub(const Quantity& other);
  Quantity operator+(const Quantity& other) const { Quantity q = *this; q.Add(other); return q; }
  Quantity operator-(const Quantity& other) const { Quantity q = *this; q.Sub(other); return q; }
  Quantity operator-() const;

 private:
  __int128 nanos_ = 0;  // the value in units of 10^-9
  Format format_ = Format::kDecimalSI;
  std::string original_;  // the parsed text when it was already canonical
};

}  // namespace k1s::api
