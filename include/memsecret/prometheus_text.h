// Prometheus text exposition format (version 0.0.4), written by hand: the
// webhook's /metrics and the injector's opt-in metrics endpoint. Label values
// are escaped here; callers never pass secret values (refs and file names
// only). Pure.
#pragma once

#include <string>
#include <string_view>

namespace memsecret::prometheus {

// The Content-Type of a page in the text exposition format (0.0.4).
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// "# HELP <name> <help>\n# TYPE <name> <type>\n"; `type` is counter, gauge,
// histogram or untyped.
void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help);

// Shortest round-trip decimal form ("0.0005", "2.5", "1"); NaN/Inf as
// Prometheus spells them.
std::string FormatNumber(double value);

// `<name>{<labels>} <value>\n`; `labels` is already rendered (LabelPair).
void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value);

// `key="value"` with the value escaped (\\, \", \n).
std::string LabelPair(std::string_view key, std::string_view value);

}  // namespace memsecret::prometheus
