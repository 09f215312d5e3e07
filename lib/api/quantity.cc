#include "lib/api/quantity.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>

namespace k1s::api {

namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr int64_t kNanosPerUnit = 1000000000;
// The largest magnitude upstream keeps: 2^63-1 units, here in nanos.
constexpr i128 kMaxNanos = static_cast<i128>(std::numeric_limits<int64_t>::max()) * kNanosPerUnit;

i128 Pow10(int n) {
  i128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

std::string I128String(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  u128 m = neg ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  std::string out;
  while (m > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  }
  if (neg) out.insert(out.begin(), '-');
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The pieces of "<sign><digits>.<digits><suffix>", split the way upstream does.
struct Pieces {
  bool positive = true;
  std::string num;    // integer digits without leading zeros ("0" when none)
  std::string denom;  // fraction digits as written
  std::string suffix;
  bool any_digit = false;
};

// false when the text does not match the quantity grammar.
bool Split(std::string_view s, Pieces* p) {
  size_t pos = 0, end = s.size();
  if (pos < end && (s[0] == '-' || s[0] == '+')) {
    p->positive = s[0] != '-';
    ++pos;
  }
  while (pos < end && s[pos] == '0') {
    ++pos;
    p->any_digit = true;
  }
  if (pos >= end) {
    p->num = "0";
    return true;
  }
  size_t start = pos;
  while (pos < end && IsDigit(s[pos])) ++pos;
  p->num = std::string(s.substr(start, pos - start));
  if (!p->num.empty()) p->any_digit = true;
  if (pos >= end) return true;
  if (p->num.empty()) p->num = "0";
  if (s[pos] == '.') {
    ++pos;
    start = pos;
    while (pos < end && IsDigit(s[pos])) ++pos;
    p->denom = std::string(s.substr(start, pos - start));
    if (!p->denom.empty()) p->any_digit = true;
    if (pos >= end) return true;
  }
  size_t suffix_start = pos;
  static constexpr std::string_view kSuffixChars = "eEinumkKMGTP";
  while (pos < end && kSuffixChars.find(s[pos]) != std::string_view::npos) ++pos;
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) ++pos;
  while (pos < end && IsDigit(s[pos])) ++pos;
  if (pos < end) return false;
  p->suffix = std::string(s.substr(suffix_start));
  return true;
}

struct SuffixInfo {
  int base;  // 10 or 2
  int64_t exponent;
  Quantity::Format format;
};

bool Interpret(const std::string& suffix, SuffixInfo* out) {
  static const std::pair<const char*, int> kDecimal[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3},
                                                          {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static const std::pair<const char*, int> kBinary[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                         {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [s, e] : kDecimal) {
    if (suffix == s) {
      *out = {10, e, Quantity::Format::kDecimalSI};
      return true;
    }
  }
  for (const auto& [s, e] : kBinary) {
    if (suffix == s) {
      *out = {2, e, Quantity::Format::kBinarySI};
      return true;
    }
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view digits(suffix);
    digits.remove_prefix(1);
    bool neg = false;
    if (digits[0] == '+' || digits[0] == '-') {
      neg = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (digits.empty()) return false;
    int64_t v = 0;
    for (char c : digits) {
      if (!IsDigit(c)) return false;
      if (v < 1000000) v = v * 10 + (c - '0');  // far beyond any representable value either way
    }
    *out = {10, neg ? -v : v, Quantity::Format::kDecimalExponent};
    return true;
  }
  return false;
}

// |value| in nanos of digits * 10^e10 * 2^e2, rounded up, capped at kMaxNanos.
i128 MagnitudeNanos(std::string digits, int64_t e10, int e2) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  digits.erase(0, first);
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++e10;
  }
  const int64_t len = static_cast<int64_t>(digits.size());
  const i128 cap_before_shift = kMaxNanos >> e2;
  auto shifted = [&](i128 v) -> i128 { return v > cap_before_shift ? kMaxNanos : std::min(kMaxNanos, v << e2); };
  int64_t k = -(e10 + 9);  // decimal places to divide away
  if (k <= 0) {
    if (len - k > 29) return kMaxNanos;
    i128 v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    v *= Pow10(static_cast<int>(-k));
    return shifted(v);
  }
  // Integer part (the first len-k digits) and the fraction (k digits, left-padded with zeros).
  i128 whole = 0;
  if (len > k) {
    if (len - k > 29) return kMaxNanos;
    for (int64_t i = 0; i < len - k; ++i) whole = whole * 10 + (digits[i] - '0');
  }
  whole = shifted(whole);
  if (whole >= kMaxNanos) return kMaxNanos;
  const int64_t pad = std::max<int64_t>(0, k - len);
  const int64_t frac_start = std::max<int64_t>(0, len - k);
  auto frac_digit = [&](int64_t i) -> int { return i < pad ? 0 : digits[frac_start + i - pad] - '0'; };
  const int64_t kept = std::min<int64_t>(k, 20);
  u128 r = 0;
  for (int64_t i = 0; i < kept; ++i) r = r * 10 + frac_digit(i);
  bool sticky = false;
  for (int64_t i = std::max(kept, pad); i < k && !sticky; ++i) sticky = frac_digit(i) != 0;
  u128 prod = r << e2;
  u128 unit = static_cast<u128>(Pow10(static_cast<int>(kept)));
  i128 total = whole + static_cast<i128>(prod / unit) + ((prod % unit != 0 || sticky) ? 1 : 0);
  return std::min(kMaxNanos, total);
}

Unexpected Bad(std::string_view message) { return Fail(ErrorCode::kBadRequest, std::string(message)); }

}  // namespace

Result<Quantity> Quantity::Parse(std::string_view text) {
  if (text.empty()) return Bad(kErrFormatWrong);
  Quantity q;
  if (text == "0") return q;
  Pieces p;
  if (!Split(text, &p)) return Bad(kErrFormatWrong);
  SuffixInfo info;
  if (!Interpret(p.suffix, &info)) return Bad(kErrSuffix);
  q.format_ = info.format;

  // Upstream's fast path (small exact values) keeps the text when it is already canonical; its slow
  // path needs at least one digit.
  const int64_t num_len = static_cast<int64_t>(p.num.size());
  const int64_t denom_len = static_cast<int64_t>(p.denom.size());
  bool fast = false, keep_text = false;
  std::string shifted = p.num + p.denom;
  if (info.base == 10) {
    int64_t scale = info.exponent - denom_len;
    fast = 18 - (num_len + denom_len) >= 0 && scale >= -9;
    keep_text = fast && scale % 3 == 0 && !shifted.ends_with("000") && shifted[0] != '0';
  } else if (p.denom.empty()) {
    int64_t precision = 15 - num_len - static_cast<int64_t>(static_cast<float>(info.exponent) * 3 / 10) - 1;
    if (precision >= 0) {
      int64_t value = 0;  // p.num: 1 to 14 digits here (Split makes an empty one "0"); from_chars cannot throw
      bool parsed = std::from_chars(p.num.data(), p.num.data() + p.num.size(), value).ec == std::errc();
      fast = parsed && value <= (std::numeric_limits<int64_t>::max() >> info.exponent);
      keep_text = fast && info.exponent % 10 == 0 && (value & 0x07) != 0;
    }
  }
  if (!fast && !p.any_digit) return Bad(kErrNumeric);

  int64_t e10 = (info.base == 10 ? info.exponent : 0) - denom_len;
  int e2 = info.base == 2 ? static_cast<int>(info.exponent) : 0;
  i128 nanos = MagnitudeNanos(shifted, e10, e2);
  if (q.format_ == Format::kBinarySI && nanos > 0 && nanos < kNanosPerUnit) q.format_ = Format::kDecimalSI;
  q.nanos_ = p.positive ? nanos : -nanos;
  if (keep_text && q.nanos_ != 0) q.original_ = std::string(text);
  return q;
}

Result<Quantity> Quantity::FromJson(const boost::json::value& v) {
  if (v.is_null()) return Quantity();
  if (v.is_string()) {
    std::string_view s = v.get_string();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return Parse(s);
  }
  if (v.is_int64()) return Parse(std::to_string(v.get_int64()));
  if (v.is_uint64()) return Parse(std::to_string(v.get_uint64()));
  if (v.is_double()) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
    return Parse(std::string_view(buf, r.ptr - buf));
  }
  return Bad(kErrFormatWrong);
}

Quantity Quantity::FromValue(int64_t value, Format format) { return FromScaled(value, 0, format); }

Quantity Quantity::FromMilli(int64_t milli, Format format) { return FromScaled(milli, -3, format); }

Quantity Quantity::FromScaled(int64_t value, int scale, Format format) {
  Quantity q;
  q.format_ = format;
  i128 v = value;
  if (scale + 9 >= 0) {
    int p = scale + 9;
    if (p > 27) p = 27;
    i128 m = Pow10(p);
    i128 abs_v = v < 0 ? -v : v;
    q.nanos_ = abs_v > kMaxNanos / m ? (v < 0 ? -kMaxNanos : kMaxNanos) : v * m;
  } else {
    i128 d = Pow10(std::min(-(scale + 9), 30));
    i128 n = v / d;
    if (v % d != 0) n += v > 0 ? 1 : -1;
    q.nanos_ = n;
  }
  return q;
}

std::string Quantity::String() const {
  if (nanos_ == 0) return "0";
  if (!original_.empty()) return original_;
  Format format = format_;
  if (format == Format::kBinarySI) {
    i128 bound = static_cast<i128>(1024) * kNanosPerUnit;
    if ((nanos_ > -bound && nanos_ < bound) || nanos_ % kNanosPerUnit != 0) format = Format::kDecimalSI;
  }
  bool neg = nanos_ < 0;
  i128 mag = neg ? -nanos_ : nanos_;
  std::string number, suffix;
  if (format == Format::kBinarySI) {
    i128 v = mag / kNanosPerUnit;
    int times = 0;
    while (v >= 1024 && v % 1024 == 0) {
      v /= 1024;
      ++times;
    }
    static const char* kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    number = I128String(v);
    suffix = kBinary[times];
  } else {
    int exponent = -9;
    while (mag >= 10 && mag % 10 == 0) {
      mag /= 10;
      ++exponent;
    }
    while (((exponent % 3) + 3) % 3 != 0) {
      mag *= 10;
      --exponent;
    }
    number = I128String(mag);
    if (format == Format::kDecimalExponent) {
      if (exponent != 0) suffix = "e" + std::to_string(exponent);
    } else {
      static const char* kDecimal[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
      int idx = (exponent + 9) / 3;
      if (idx >= 0 && idx < 10) {
        suffix = kDecimal[idx];
      } else {
        suffix = "e" + std::to_string(exponent);
      }
    }
  }
  return (neg ? "-" : "") + number + suffix;
}

int64_t Quantity::ScaledValue(int scale) const {
  i128 v;
  if (scale + 9 >= 0) {
    i128 d = Pow10(std::min(scale + 9, 30));
    v = nanos_ / d;
    if (nanos_ % d != 0) v += nanos_ > 0 ? 1 : -1;
  } else {
    int p = std::min(-(scale + 9), 30);
    i128 m = Pow10(p);
    i128 abs_v = nanos_ < 0 ? -nanos_ : nanos_;
    i128 limit = std::numeric_limits<int64_t>::max();
    v = abs_v > limit / m ? (nanos_ < 0 ? -limit - 1 : limit) : nanos_ * m;
  }
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int64_t Quantity::Value() const { return ScaledValue(0); }

int64_t Quantity::MilliValue() const { return ScaledValue(-3); }

double Quantity::AsApproximateDouble() const { return static_cast<double>(nanos_) / 1e9; }

bool Quantity::RoundUp(int scale) {
  if (scale <= -9) return true;
  i128 unit = Pow10(std::min(scale + 9, 30));
  i128 r = nanos_ % unit;
  if (r == 0) return true;
  original_.clear();
  nanos_ = nanos_ > 0 ? nanos_ + (unit - r) : nanos_ - (unit + r);
  if (nanos_ > kMaxNanos) nanos_ = kMaxNanos;
  if (nanos_ < -kMaxNanos) nanos_ = -kMaxNanos;
  return false;
}

void Quantity::Add(const Quantity& other) {
  original_.clear();
  if (nanos_ == 0) format_ = other.format_;
  nanos_ += other.nanos_;
}

void Quantity::Sub(const Quantity& other) {
  original_.clear();
  if (nanos_ == 0) format_ = other.format_;
  nanos_ -= other.nanos_;
}

Quantity Quantity::operator-() const {
  Quantity q = *this;
  q.original_.clear();
  q.nanos_ = -nanos_;
  return q;
}

}  // namespace k1s::api
