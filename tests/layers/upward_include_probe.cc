// Compiled only by tests/layers: on the state layer this include must not be found.
#include "sinks/sink.h"

namespace earshot {
int LayerProbe() { return 0; }
}  // namespace earshot
