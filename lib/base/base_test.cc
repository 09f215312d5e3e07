#include <gtest/gtest.h>

#include "lib/base/clock.h"
#include "lib/base/error.h"
#include "lib/base/files.h"
#include "lib/base/log.h"
#include "lib/base/process.h"
#include "lib/base/result.h"
#include "lib/base/strings.h"

namespace k1s {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Fail(ErrorCode::kInvalid, "odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  K1S_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}
Status CheckEven(int x) {
  K1S_TRY(Half(x));
  return OkStatus();
}

TEST(ResultTest, CarriesValueOrError) {
  auto ok = Half(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(ResultTest, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).error().message, "odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(1).ok());
}

TEST(ErrorTest, CodesMapToKubernetesReasonsAndHttpStatus) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kGone), "Expired");
  EXPECT_EQ(HttpStatus(ErrorCode::kGone), 410);
  EXPECT_EQ(HttpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalid), 422);
  EXPECT_EQ(Error({ErrorCode::kNotFound, "x"}).ToString(), "NotFound: x");
}

TEST(StringsTest, SplitTrimJoin) {
  EXPECT_EQ(Split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_EQ(Join({"a", "b"}, "-"), "a-b");
}

TEST(StringsTest, ParseInt64RejectsJunkAndOverflowInsteadOfThrowing) {
  EXPECT_EQ(ParseInt64("80"), 80);
  EXPECT_EQ(ParseInt64("-5"), -5);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(ParseInt64("99999999999999999999").has_value());
  EXPECT_FALSE(ParseInt64("").has_value());
  EXPECT_FALSE(ParseInt64("12a").has_value());
  EXPECT_FALSE(ParseInt64("+1").has_value());
  EXPECT_FALSE(ParseInt64(" 1").has_value());
}

TEST(ClockTest, ClampedSecondsFromAnyInt64CanBeAddedToNowWithoutOverflow) {
  EXPECT_EQ(ClampedSeconds(30), std::chrono::seconds(30));
  EXPECT_EQ(ClampedSeconds(-5), std::chrono::seconds(-5));
  EXPECT_EQ(ClampedSeconds(INT64_MAX), kClampedSecondsMax);
  EXPECT_EQ(ClampedSeconds(INT64_MIN), -kClampedSecondsMax);
  auto far = std::chrono::system_clock::now() + ClampedSeconds(INT64_MAX);
  EXPECT_GT(far, std::chrono::system_clock::now());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ClampedSeconds(INT64_MAX));
  EXPECT_GT(ms.count(), 0);
}

TEST(StringsTest, Base64RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    std::string decoded;
    ASSERT_TRUE(Base64Decode(Base64Encode(data), &decoded));
    EXPECT_EQ(decoded, data);
    data.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  std::string bad;
  EXPECT_FALSE(Base64Decode("a*b", &bad));
}

TEST(StringsTest, PrefixEndIsTheFirstKeyPastThePrefix) {
  EXPECT_EQ(PrefixEnd("/registry/"), "/registry0");
  EXPECT_EQ(PrefixEnd("a\xff"), "b");
  EXPECT_EQ(PrefixEnd(""), "");
}

TEST(FilesTest, AtomicWriteThenRead) {
  auto dir = MakeTempDir("k1s-base-test");
  ASSERT_TRUE(dir.ok());
  std::string path = *dir + "/a/b/file";
  ASSERT_TRUE(MakeDirs(DirName(path)).ok());
  ASSERT_TRUE(WriteFileAtomic(path, "hello").ok());
  EXPECT_EQ(*ReadFile(path), "hello");
  auto missing = ReadFile(*dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(RemoveAll(*dir).ok());
  EXPECT_FALSE(PathExists(*dir));
}

TEST(ProcessTest, SpawnAndWaitReportsExitCode) {
  auto pid = Spawn({"sh", "-c", "exit 3"});
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(*WaitExit(*pid), 3);
  EXPECT_FALSE(FindInPath("sh").empty());
  EXPECT_TRUE(FindInPath("no-such-binary-k1s").empty());
}

TEST(LogTest, ParsesLevels) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

}  // namespace
}  // namespace k1s
