// unix_time.h: remote times and durations converted without overflow.
#include "memsecret/unix_time.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace memsecret {
namespace {

using std::chrono::seconds;

TEST(UnixTimeTest, WallTimeFromUnixSecondsKeepsToTheRepresentableRange) {
  EXPECT_EQ(WallTimeFromUnixSeconds(0), WallTime(seconds(0)));
  EXPECT_EQ(WallTimeFromUnixSeconds(1'700'000'000), WallTime(seconds(1'700'000'000)));
  EXPECT_EQ(WallTimeFromUnixSeconds(kMaxUnixSeconds - 1), WallTime(seconds(kMaxUnixSeconds - 1)));
  for (int64_t bad : {int64_t{-1}, kMaxUnixSeconds, int64_t{253402300799} /* 9999-12-31 */,
                      std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()})
    EXPECT_EQ(WallTimeFromUnixSeconds(bad), std::nullopt) << bad;
}

TEST(UnixTimeTest, ClampRemoteSeconds) {
  const seconds max(3600);
  EXPECT_EQ(ClampRemoteSeconds(90, max), seconds(90));
  EXPECT_EQ(ClampRemoteSeconds(90.9, max), seconds(90));
  EXPECT_EQ(ClampRemoteSeconds(0, max), seconds(0));
  EXPECT_EQ(ClampRemoteSeconds(-5, max), seconds(0));
  EXPECT_EQ(ClampRemoteSeconds(1e300, max), max);
  EXPECT_EQ(ClampRemoteSeconds(-1e300, max), seconds(0));
  EXPECT_EQ(ClampRemoteSeconds(std::nan(""), max), seconds(0));
  EXPECT_EQ(ClampRemoteSeconds(std::numeric_limits<double>::infinity(), max), max);
}

}  // namespace
}  // namespace memsecret
