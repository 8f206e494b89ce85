// `earshot tail` from the command line: runs the tail loop on a worker thread and stops it on
// SIGINT or SIGTERM read from a signalfd, so the loop itself never deals with signals.
#include <atomic>
#include <csignal>
#include <stop_token>
#include <thread>

#include "daemon/app/signals.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/tail_command.h"

namespace earshot {

int RunTailCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  SignalWaiter signals;  // before the thread starts, so it inherits the blocked mask
  int code = kExitOk;
  std::atomic<bool> done{false};
  std::jthread worker([&](std::stop_token stop) {
    code = RunTailUntilStopped(args, stop, out, err);
    done = true;
  });
  while (!done) {
    if (auto sig = signals.Wait(std::chrono::milliseconds(200)); sig && *sig != SIGHUP) break;
  }
  worker.request_stop();
  worker.join();
  return code;
}

}  // namespace earshot
