// BoundedExecutor: every task runs once, never more than the bound at a time,
// in start order; a bound of 1 (or one task) runs inline on the caller's
// thread. ParseMaxInFlight: the MEMSECRET_CONCURRENCY values it accepts.
#include "injector/runtime/bounded_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace memsecret::injector {
namespace {

TEST(BoundedExecutorTest, SequentialRunsInOrderOnTheCallersThread) {
  BoundedExecutor sequential(1);
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  std::vector<std::function<void()>> tasks;
  for (int i = 0; i < 5; ++i)
    tasks.push_back([&, i] {
      order.push_back(i);
      threads.push_back(std::this_thread::get_id());
    });
  sequential.RunAll(tasks);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  for (auto id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST(BoundedExecutorTest, ZeroMeansSequential) {
  EXPECT_EQ(BoundedExecutor(0).max_in_flight(), 1u);
}

// Tasks wait until `bound` of them are in flight at once (proving they
// overlap), and the peak never exceeds the bound.
TEST(BoundedExecutorTest, RunsUpToTheBoundAtOnceAndNeverMore) {
  struct Case {
    size_t bound;
    size_t tasks;
  };
  for (const Case c : {Case{2, 7}, Case{4, 4}, Case{8, 30}, Case{8, 3}}) {
    SCOPED_TRACE(std::to_string(c.bound) + " x " + std::to_string(c.tasks));
    const size_t expect_peak = std::min(c.bound, c.tasks);
    std::mutex mu;
    std::condition_variable cv;
    size_t in_flight = 0, peak = 0, reached = 0;
    std::atomic<int> runs{0};
    std::vector<std::function<void()>> tasks;
    for (size_t i = 0; i < c.tasks; ++i)
      tasks.push_back([&] {
        std::unique_lock<std::mutex> lock(mu);
        peak = std::max(peak, ++in_flight);
        if (in_flight == expect_peak) ++reached, cv.notify_all();
        // The first wave waits for a full house (bounded: a broken executor
        // fails the expectation below instead of hanging).
        cv.wait_for(lock, std::chrono::seconds(60), [&] { return reached > 0; });
        --in_flight;
        ++runs;
      });
    BoundedExecutor(c.bound).RunAll(tasks);
    EXPECT_EQ(runs.load(), static_cast<int>(c.tasks));
    EXPECT_EQ(peak, expect_peak);
    EXPECT_GE(reached, 1u);
  }
}

TEST(BoundedExecutorTest, EmptyBatchIsANoOp) { BoundedExecutor(8).RunAll({}); }

TEST(ParseMaxInFlightTest, AcceptsOneToThirtyTwo) {
  struct Case {
    const char* text;
    size_t want;  // 0: rejected
  };
  for (const Case c :
       {Case{"", kDefaultMaxInFlight}, Case{"1", 1}, Case{"8", 8}, Case{"32", 32}, Case{"0", 0},
        Case{"33", 0}, Case{"-1", 0}, Case{"eight", 0}, Case{"4 ", 0}, Case{"1000", 0}}) {
    SCOPED_TRACE(c.text);
    auto got = ParseMaxInFlight(c.text);
    if (c.want == 0) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), Code::kInvalidArgument);
      EXPECT_NE(got.status().message().find(c.text), std::string::npos);
    } else {
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, c.want);
    }
  }
}

}  // namespace
}  // namespace memsecret::injector
