// FakeAwsProcess: runs tests/fakes/fake_aws.py (a loopback fake of Secrets
// Manager, STS and the Pod Identity agent that verifies SigV4 with botocore)
// as a child process for the duration of a test, and talks to its /_control
// endpoint. The child is killed (by pid) on destruction. Launch and control
// are PythonFakeProcess's.
#pragma once

#include "testing/python_fake_process.h"

namespace memsecret::testing {

class FakeAwsProcess final : public PythonFakeProcess {
 public:
  FakeAwsProcess() : PythonFakeProcess("fake_aws.py") {}
  // A fake that is `region` (signatures must be scoped to it, ARNs name it).
  explicit FakeAwsProcess(const std::string& region)
      : PythonFakeProcess("fake_aws.py", {"--region", region}) {}
};

}  // namespace memsecret::testing
