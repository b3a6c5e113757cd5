// admit_tool: reads an AdmissionReview from stdin, runs the real Admit() with
// the config file given as argv[1] (or defaults), prints the HTTP status on
// the first line and the response body after it. Used by the independent
// JSON Patch checks in tests/webhook/*.py.
#include <iostream>
#include <iterator>

#include "webhook/admission/admission_review.h"
#include "webhook/config/config.h"

int main(int argc, char** argv) {
  using namespace memsecret::webhook;
  Config config;
  if (argc > 1) {
    auto loaded = LoadConfigFile(argv[1]);
    if (!loaded.ok()) {
      std::cerr << loaded.status().ToString() << "\n";
      return 2;
    }
    config = *loaded;
  }
  std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  AdmitAnswer answer = Admit(body, config);
  std::cout << answer.http_status << "\n" << answer.body << "\n";
  return 0;
}
