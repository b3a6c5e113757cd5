// Refresh timing is a pure function of issue time, expiry, settings and a
// jitter value: checked here with fixed times, no clock, no sleeping.
#include "injector/oauth/refresh_schedule.h"

#include <gtest/gtest.h>

namespace memsecret::injector::oauth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const WallTime kT0{seconds(1'700'000'000)};

double Offset(WallTime t) { return std::chrono::duration<double>(t - kT0).count(); }

TEST(RefreshAt, DefaultSettingsWithoutJitter) {
  struct Case {
    const char* name;
    std::optional<int> expires_in;
    double refresh_after;  // seconds after issue
  } cases[] = {
      {"300s: 75% (225) is before expiry-60 (240)", 300, 225},
      {"3600s: 75%", 3600, 2700},
      {"86400s: 75%", 86400, 64800},
      {"200s: expiry-60 (140) is before 75% (150)", 200, 140},
      {"120s: expiry-60", 120, 60},
      {"61s: expiry-60 but at least 1s", 61, 1},
      {"60s: margin impossible, fraction alone", 60, 45},
      {"10s tiny", 10, 7.5},
      {"4s tiny", 4, 3},
      {"1s tiny: at least 1s", 1, 1},
      {"0s: at least 1s", 0, 1},
      {"missing: assumed 300s lifetime", std::nullopt, 225},
  };
  for (const Case& c : cases) {
    std::optional<WallTime> exp;
    if (c.expires_in) exp = kT0 + seconds(*c.expires_in);
    EXPECT_DOUBLE_EQ(Offset(RefreshAt(kT0, exp, RefreshSettings{}, 0.0)), c.refresh_after)
        << c.name;
  }
}

TEST(RefreshAt, JitterOnlyMovesEarlierByAtMostTenPercent) {
  for (int expires_in : {300, 3600, 86400, 200, 10}) {
    const WallTime exp = kT0 + seconds(expires_in);
    const WallTime base = RefreshAt(kT0, exp, {}, 0.0);
    for (double j : {0.0, 0.25, 0.5, 0.999999, 1.0, 7.0, -1.0}) {
      const WallTime due = RefreshAt(kT0, exp, {}, j);
      EXPECT_LE(due, base) << expires_in << " j=" << j;
      EXPECT_GE(Offset(due), Offset(base) * 0.9 - 1e-6) << expires_in << " j=" << j;
      if (expires_in > 61) {
        EXPECT_LE(due, exp - seconds(60)) << expires_in;
      }
      EXPECT_GE(due, kT0 + seconds(1));
    }
  }
  EXPECT_NEAR(Offset(RefreshAt(kT0, kT0 + seconds(3600), {}, 0.5)), 2700 - 135, 1e-6);
}

TEST(RefreshAt, DifferentJitterSpreadsRefreshes) {
  const WallTime exp = kT0 + seconds(3600);
  EXPECT_NE(RefreshAt(kT0, exp, {}, 0.1), RefreshAt(kT0, exp, {}, 0.9));
}

TEST(RefreshAt, Settings) {
  const WallTime exp = kT0 + seconds(1000);
  EXPECT_DOUBLE_EQ(Offset(RefreshAt(kT0, exp, {0.5, seconds(60)}, 0)), 500);
  EXPECT_DOUBLE_EQ(Offset(RefreshAt(kT0, exp, {0.9, seconds(300)}, 0)), 700);
  EXPECT_DOUBLE_EQ(Offset(RefreshAt(kT0, exp, {0.75, seconds(0)}, 0)), 750);
  EXPECT_DOUBLE_EQ(Offset(RefreshAt(kT0, exp, {2.0, seconds(0)}, 0)),
                   950);  // fraction clamped to 0.95
  EXPECT_DOUBLE_EQ(Offset(RefreshAt(kT0, exp, {0.0, seconds(0)}, 0)), 50);  // and to 0.05
}

TEST(RefreshAt, ExpiryInThePastStillWaitsOneSecond) {
  EXPECT_EQ(RefreshAt(kT0, kT0 - seconds(30), {}, 0), kT0 + seconds(1));
}

TEST(RetryAt, ExponentialWithJitterAndCap) {
  // Injector backoff: 1s, 2s, 4s ... capped at 300s, jitter +/-20% (0.5 = none).
  EXPECT_EQ(RetryAt(kT0, 1, 0.5, std::nullopt, std::nullopt), kT0 + seconds(1));
  EXPECT_EQ(RetryAt(kT0, 2, 0.5, std::nullopt, std::nullopt), kT0 + seconds(2));
  EXPECT_EQ(RetryAt(kT0, 5, 0.5, std::nullopt, std::nullopt), kT0 + seconds(16));
  EXPECT_EQ(RetryAt(kT0, 30, 0.5, std::nullopt, std::nullopt), kT0 + seconds(300));
  EXPECT_EQ(RetryAt(kT0, 5, 0.0, std::nullopt, std::nullopt), kT0 + milliseconds(12800));
  EXPECT_EQ(RetryAt(kT0, 5, 1.0, std::nullopt, std::nullopt), kT0 + milliseconds(19200));
}

TEST(RetryAt, RetriesHarderAsTheHeldTokenNearsExpiry) {
  // 20 s of validity left: never wait more than 10 s, however many failures.
  EXPECT_EQ(RetryAt(kT0, 30, 0.5, std::nullopt, kT0 + seconds(20)), kT0 + seconds(10));
  // ...but never closer than 1 s apart.
  EXPECT_EQ(RetryAt(kT0, 30, 0.5, std::nullopt, kT0 + milliseconds(500)), kT0 + seconds(1));
  // An expired token does not shorten the backoff.
  EXPECT_EQ(RetryAt(kT0, 30, 0.5, std::nullopt, kT0 - seconds(5)), kT0 + seconds(300));
}

TEST(RetryAt, RetryAfterIsAFloorThatWins) {
  EXPECT_EQ(RetryAt(kT0, 1, 0.5, seconds(30), std::nullopt), kT0 + seconds(30));
  EXPECT_EQ(RetryAt(kT0, 1, 0.5, seconds(30), kT0 + seconds(20)), kT0 + seconds(30));
  EXPECT_EQ(RetryAt(kT0, 9, 0.5, seconds(3), std::nullopt), kT0 + seconds(256));
  EXPECT_EQ(RetryAt(kT0, 1, 0.5, seconds(100000), std::nullopt), kT0 + seconds(900));  // clamped
}

}  // namespace
}  // namespace memsecret::injector::oauth
