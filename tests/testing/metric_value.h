// MetricValue: reads one sample from Prometheus text exposition, e.g.
// MetricValue(text, "memsecret_webhook_admissions_total{outcome=\"denied\"}").
#pragma once

#include <optional>
#include <sstream>
#include <string>

namespace memsecret::testing {

inline std::optional<double> MetricValue(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace memsecret::testing
