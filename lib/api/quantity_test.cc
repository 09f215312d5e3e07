#include "lib/api/quantity.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace k1s::api {
namespace {

Quantity Q(std::string_view s) {
  auto q = Quantity::Parse(s);
  EXPECT_TRUE(q.ok()) << s;
  return q.ok() ? *q : Quantity();
}

std::string Canon(std::string_view s) { return Q(s).String(); }

std::string ParseError(std::string_view s) {
  auto q = Quantity::Parse(s);
  if (q.ok()) return "parsed as " + q->String();
  EXPECT_EQ(q.error().code, ErrorCode::kBadRequest);
  return q.error().message;
}

TEST(Quantity, ParsesDecimalSuffixes) {
  EXPECT_EQ(Q("100m").MilliValue(), 100);
  EXPECT_EQ(Q("2").Value(), 2);
  EXPECT_EQ(Q("1k").Value(), 1000);
  EXPECT_EQ(Q("3M").Value(), 3000000);
  EXPECT_EQ(Q("1G").Value(), 1000000000);
  EXPECT_EQ(Q("1T").Value(), 1000000000000);
  EXPECT_EQ(Q("1P").Value(), 1000000000000000);
  EXPECT_EQ(Q("1E").Value(), 1000000000000000000);
  EXPECT_EQ(Q("5u").ScaledValue(-6), 5);
  EXPECT_EQ(Q("7n").ScaledValue(-9), 7);
}

TEST(Quantity, ParsesBinarySuffixes) {
  EXPECT_EQ(Q("1Ki").Value(), 1024);
  EXPECT_EQ(Q("500Mi").Value(), 500LL * 1024 * 1024);
  EXPECT_EQ(Q("1Gi").Value(), 1LL << 30);
  EXPECT_EQ(Q("2Ti").Value(), 2LL << 40);
  EXPECT_EQ(Q("1Pi").Value(), 1LL << 50);
  EXPECT_EQ(Q("1Ei").Value(), 1LL << 60);
  EXPECT_EQ(Q("1.5Gi").Value(), 1610612736);
  EXPECT_EQ(Q("1Gi").format(), Quantity::Format::kBinarySI);
}

TEST(Quantity, ParsesExponentsAndFractions) {
  EXPECT_EQ(Q("1e3").Value(), 1000);
  EXPECT_EQ(Q("1E3").Value(), 1000);
  EXPECT_EQ(Q("1e+3").Value(), 1000);
  EXPECT_EQ(Q("1e-3").MilliValue(), 1);
  EXPECT_EQ(Q("1.5").MilliValue(), 1500);
  EXPECT_EQ(Q(".5").MilliValue(), 500);
  EXPECT_EQ(Q("5.").Value(), 5);
  EXPECT_EQ(Q("0.1").MilliValue(), 100);
  EXPECT_EQ(Q("1e3").format(), Quantity::Format::kDecimalExponent);
}

TEST(Quantity, ParsesSignsAndZeros) {
  EXPECT_EQ(Q("-1").Value(), -1);
  EXPECT_EQ(Q("+1").Value(), 1);
  EXPECT_TRUE(Q("0").IsZero());
  EXPECT_TRUE(Q("-0").IsZero());
  EXPECT_TRUE(Q("000").IsZero());
  EXPECT_TRUE(Q("0Gi").IsZero());
  EXPECT_TRUE(Q(".").IsZero());
  EXPECT_TRUE(Q("Gi").IsZero());  // upstream reads a bare suffix as zero of that suffix
  EXPECT_EQ(Q("-100m").Sign(), -1);
  EXPECT_EQ(Q("007").Value(), 7);
}

TEST(Quantity, RejectsMalformedTextWithUpstreamsMessages) {
  const std::string format =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  EXPECT_EQ(ParseError(""), format);
  EXPECT_EQ(ParseError("abc"), format);
  EXPECT_EQ(ParseError("1.5.5"), format);
  EXPECT_EQ(ParseError(" 1"), format);
  EXPECT_EQ(ParseError("1 "), format);
  EXPECT_EQ(ParseError("1Gi1"), "unable to parse quantity's suffix");
  EXPECT_EQ(ParseError("1x"), format);
  EXPECT_EQ(ParseError("1K"), "unable to parse quantity's suffix");
  EXPECT_EQ(ParseError("1ki"), "unable to parse quantity's suffix");
  EXPECT_EQ(ParseError("1e"), "unable to parse quantity's suffix");
  EXPECT_EQ(ParseError("1mm"), "unable to parse quantity's suffix");
  EXPECT_EQ(ParseError("--1"), "unable to parse quantity's suffix");
  EXPECT_EQ(ParseError("1/2"), format);
  EXPECT_EQ(ParseError(".e-10"), "unable to parse numeric part of quantity");
}

TEST(Quantity, CanonicalFormUsesTheLargestExactSuffix) {
  EXPECT_EQ(Canon("100m"), "100m");
  EXPECT_EQ(Canon("1000m"), "1");
  EXPECT_EQ(Canon("1500m"), "1500m");
  EXPECT_EQ(Canon("0.5"), "500m");
  EXPECT_EQ(Canon("1.5"), "1500m");
  EXPECT_EQ(Canon("2000"), "2k");
  EXPECT_EQ(Canon("1500000"), "1500k");
  EXPECT_EQ(Canon("0.1"), "100m");
  EXPECT_EQ(Canon("10"), "10");
  EXPECT_EQ(Canon("100"), "100");
  EXPECT_EQ(Canon("1000k"), "1M");
  EXPECT_EQ(Canon("12345678"), "12345678");
  EXPECT_EQ(Canon("0.000001"), "1u");
  EXPECT_EQ(Canon("1.0"), "1");
}

TEST(Quantity, CanonicalBinaryFormFoldsPowersOf1024) {
  EXPECT_EQ(Canon("1024Mi"), "1Gi");
  EXPECT_EQ(Canon("1Gi"), "1Gi");
  EXPECT_EQ(Canon("500Mi"), "500Mi");
  EXPECT_EQ(Canon("1536Mi"), "1536Mi");
  EXPECT_EQ(Canon("1.5Gi"), "1536Mi");
  EXPECT_EQ(Canon("2048Ki"), "2Mi");
  EXPECT_EQ(Canon("1.5Ki"), "1536");
  // Below 1024 a binary quantity prints in decimal.
  EXPECT_EQ(Canon("0.5Ki"), "512");
  EXPECT_EQ(Canon("-1Gi"), "-1Gi");
}

TEST(Quantity, CanonicalExponentFormKeepsExponents) {
  EXPECT_EQ(Canon("1e3"), "1e3");
  EXPECT_EQ(Canon("1E3"), "1E3");  // canonical text is kept as written
  EXPECT_EQ(Canon("1.5e3"), "1500");
  EXPECT_EQ(Canon("10e3"), "10e3");
  EXPECT_EQ(Canon("1e-3"), "1e-3");
  EXPECT_EQ(Canon("100e-3"), "100e-3");
  EXPECT_EQ(Canon("1000e-3"), "1");
}

TEST(Quantity, ZeroPrintsAsZero) {
  EXPECT_EQ(Canon("0"), "0");
  EXPECT_EQ(Canon("0m"), "0");
  EXPECT_EQ(Canon("0Gi"), "0");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Quantity().String(), "0");
}

TEST(Quantity, NegativeValuesPrintWithSign) {
  EXPECT_EQ(Canon("-100m"), "-100m");
  EXPECT_EQ(Canon("-1500m"), "-1500m");
  EXPECT_EQ(Canon("-2000"), "-2k");
}

TEST(Quantity, ValuesFinerThanNanoRoundUpAwayFromZero) {
  EXPECT_EQ(Canon("0.0000000001"), "1n");
  EXPECT_EQ(Canon("1e-10"), "1e-9");
  EXPECT_EQ(Canon("-0.0000000001"), "-1n");
  EXPECT_EQ(Canon("1.0000000001"), "1000000001n");
}

TEST(Quantity, HugeValuesAreCappedAtMaxInt64) {
  EXPECT_EQ(Q("100000000000000000000").Value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Canon("100000000000000000000"), "9223372036854775807");
  EXPECT_EQ(Q("20Ei").Value(), std::numeric_limits<int64_t>::max());
}

TEST(Quantity, ValueAndMilliValueRoundUpAwayFromZero) {
  EXPECT_EQ(Q("100m").Value(), 1);
  EXPECT_EQ(Q("1001m").Value(), 2);
  EXPECT_EQ(Q("-100m").Value(), -1);
  EXPECT_EQ(Q("1n").MilliValue(), 1);
  EXPECT_EQ(Q("1.5").MilliValue(), 1500);
  EXPECT_EQ(Q("1Gi").MilliValue(), (1LL << 30) * 1000);
  EXPECT_EQ(Q("1E").MilliValue(), std::numeric_limits<int64_t>::max());
}

TEST(Quantity, ComparesByValueAcrossFormats) {
  EXPECT_EQ(Q("1Gi"), Q("1024Mi"));
  EXPECT_EQ(Q("1"), Q("1000m"));
  EXPECT_EQ(Q("1k"), Q("1e3"));
  EXPECT_LT(Q("100m"), Q("1"));
  EXPECT_GT(Q("1Gi"), Q("1G"));
  EXPECT_LT(Q("-1"), Q("0"));
  EXPECT_EQ(Q("2").Compare(Q("1")), 1);
  EXPECT_EQ(Q("1").Compare(Q("2")), -1);
  EXPECT_EQ(Q("2").Compare(Q("2000m")), 0);
}

TEST(Quantity, AddAndSubKeepTheFirstFormat) {
  Quantity a = Q("1Gi");
  a.Add(Q("512Mi"));
  EXPECT_EQ(a.String(), "1536Mi");
  Quantity b = Q("500m");
  b.Add(Q("1500m"));
  EXPECT_EQ(b.String(), "2");
  Quantity c = Q("1");
  c.Sub(Q("250m"));
  EXPECT_EQ(c.String(), "750m");
  Quantity zero;
  zero.Add(Q("1Gi"));
  EXPECT_EQ(zero.String(), "1Gi");
  EXPECT_EQ((Q("1") - Q("2")).String(), "-1");
  EXPECT_EQ((Q("100m") + Q("100m")).String(), "200m");
  EXPECT_EQ((-Q("100m")).String(), "-100m");
}

TEST(Quantity, AddClearsKeptText) {
  Quantity a = Q("+1");
  EXPECT_EQ(a.String(), "+1");
  a.Add(Q("0"));
  EXPECT_EQ(a.String(), "1");
}

TEST(Quantity, RoundUpToMilliScale) {
  Quantity q = Q("1n");
  EXPECT_FALSE(q.RoundUp(-3));
  EXPECT_EQ(q.String(), "1m");
  Quantity exact = Q("100m");
  EXPECT_TRUE(exact.RoundUp(-3));
  EXPECT_EQ(exact.String(), "100m");
  Quantity neg = Q("-1500u");
  EXPECT_FALSE(neg.RoundUp(-3));
  EXPECT_EQ(neg.String(), "-2m");
  Quantity whole = Q("1.2");
  EXPECT_FALSE(whole.RoundUp(0));
  EXPECT_EQ(whole.String(), "2");
}

TEST(Quantity, BuildsFromIntegers) {
  EXPECT_EQ(Quantity::FromValue(3).String(), "3");
  EXPECT_EQ(Quantity::FromMilli(1500).String(), "1500m");
  EXPECT_EQ(Quantity::FromMilli(2000).String(), "2");
  EXPECT_EQ(Quantity::FromValue(1 << 30, Quantity::Format::kBinarySI).String(), "1Gi");
  EXPECT_EQ(Quantity::FromValue(1000, Quantity::Format::kBinarySI).String(), "1k");
  EXPECT_EQ(Quantity::FromScaled(5, 6).String(), "5M");
  EXPECT_EQ(Quantity::FromScaled(5, -12).String(), "1n");
}

TEST(Quantity, ReadsJsonStringsAndNumbers) {
  EXPECT_EQ(Quantity::FromJson(boost::json::value("250m"))->String(), "250m");
  EXPECT_EQ(Quantity::FromJson(boost::json::value(" 1Gi "))->String(), "1Gi");
  EXPECT_EQ(Quantity::FromJson(boost::json::value(2))->String(), "2");
  EXPECT_EQ(Quantity::FromJson(boost::json::value(0.5))->String(), "500m");
  EXPECT_EQ(Quantity::FromJson(boost::json::value(1.0))->String(), "1");
  EXPECT_TRUE(Quantity::FromJson(boost::json::value(nullptr))->IsZero());
  EXPECT_FALSE(Quantity::FromJson(boost::json::value(true)).ok());
  EXPECT_FALSE(Quantity::FromJson(boost::json::array{}).ok());
  EXPECT_FALSE(Quantity::FromJson(boost::json::value("lots")).ok());
}

TEST(Quantity, ApproximateDoubleIsClose) {
  EXPECT_DOUBLE_EQ(Q("1.5").AsApproximateDouble(), 1.5);
  EXPECT_DOUBLE_EQ(Q("250m").AsApproximateDouble(), 0.25);
}

TEST(Quantity, RoundTripsItsOwnCanonicalForm) {
  for (const char* s : {"100m", "1Gi", "1536Mi", "2k", "1e3", "750m", "12345", "5n", "1Ei", "-3Mi"}) {
    Quantity q = Q(s);
    EXPECT_EQ(Q(q.String()), q) << s;
    EXPECT_EQ(Q(q.String()).String(), q.String()) << s;
  }
}

}  // namespace
}  // namespace k1s::api
